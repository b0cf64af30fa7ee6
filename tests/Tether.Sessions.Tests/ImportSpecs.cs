using System.Text;

namespace Tether.Sessions.Tests;

/// <summary><see cref="SessionImporter"/>: history files of bash, zsh and fish, shell scripts and session files.</summary>
public sealed class ImportSpecs : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("tether-import-spec-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private ImportOptions Options => new() { WorkingDirectory = "/work" };

    private static IEnumerable<string> Lines(Session session) => session.Commands.Select(SessionFormat.WriteCommand);

    private string Write(string name, string content)
    {
        var path = Path.Combine(_temp, name);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void Zsh_extended_history_gives_times_durations_and_multi_line_commands()
    {
        var path = Write("my_zsh_history", ": 1700000000:12;make build\n: 1700000020:0;for f in *; do\\\n  echo $f\\\ndone\n: 1700000030:1;ls\n");

        var session = SessionImporter.Import(path, Options);

        Assert.Equal(["make build", "for f in *; do\n  echo $f\ndone", "ls"], session.Commands.Select(c => c.Command));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000000), session.Commands[0].Started);
        Assert.Equal(TimeSpan.FromSeconds(12), session.Commands[0].Duration);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000012), session.Commands[0].Ended);
        Assert.All(session.Commands, c => Assert.Null(c.ExitCode));
        Assert.All(session.Commands, c => Assert.Equal("/work", c.Cwd));
        Assert.Equal([0, 1, 2], session.Commands.Select(c => c.Index));
        Assert.Equal("zsh", session.Header.Shell);
        Assert.Equal("imported-my_zsh_history", session.Name);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000000), session.Header.Started);
        Assert.Equal(3, session.Footer?.CommandCount);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000031), session.Footer?.Ended);
    }

    [Fact]
    public void Zsh_metafied_bytes_are_decoded()
    {
        // "é" is C3 A9; zsh does not metafy those, but a 0x83 byte is written as 0x83 0xA3.
        var path = Path.Combine(_temp, ".zsh_history");
        var bytes = Encoding.UTF8.GetBytes(": 1700000000:0;echo ").Concat(new byte[] { 0xE2, 0x83, 0xA2, 0xAC }).Concat("\n"u8.ToArray()).ToArray();
        File.WriteAllBytes(path, bytes);

        var session = SessionImporter.Import(path, Options);

        Assert.Equal("echo €", session.Commands.Single().Command);
    }

    [Fact]
    public void Bash_history_with_timestamps_times_each_command_and_keeps_multi_line_entries_whole()
    {
        var path = Write("bash_history", "#1700000000\ngit status\n#1700000005\nif true; then\n  echo yes\nfi\n#1700000009\nls -la\n");

        var session = SessionImporter.Import(path, Options);

        Assert.Equal(["git status", "if true; then\n  echo yes\nfi", "ls -la"], session.Commands.Select(c => c.Command));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000005), session.Commands[1].Started);
        Assert.All(session.Commands, c => Assert.Null(c.Duration));
        Assert.Equal("bash", session.Header.Shell);
    }

    [Fact]
    public void Bash_history_without_timestamps_is_recognised_by_its_name_and_has_a_command_per_line()
    {
        var path = Write(".bash_history", "cd src\n\nmake\n# not a comment in history\n");
        File.SetLastWriteTimeUtc(path, new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc));

        Assert.Equal(ImportFormat.BashHistory, SessionImporter.Detect(path));
        var session = SessionImporter.Import(path, Options);

        Assert.Equal(["cd src", "make", "# not a comment in history"], session.Commands.Select(c => c.Command));
        Assert.All(session.Commands, c => Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), c.Started));
    }

    [Fact]
    public void Fish_history_is_unescaped_and_timed()
    {
        var path = Write("fish_history", "- cmd: echo one\\ntwo \\\\ three\n  when: 1700000000\n- cmd: cd /tmp\n  when: 1700000010\n  paths:\n    - /tmp\n");

        var session = SessionImporter.Import(path, Options);

        Assert.Equal(["echo one\ntwo \\ three", "cd /tmp"], session.Commands.Select(c => c.Command));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000010), session.Commands[1].Started);
        Assert.Equal("fish", session.Header.Shell);
    }

    [Fact]
    public void A_script_has_one_command_per_logical_line_with_continuations_and_here_documents()
    {
        var path = Write("deploy.sh", """
            #!/usr/bin/env bash
            # deploy the thing
            set -euo pipefail

            docker build \
              -t app .
            cat <<'EOF' > config.ini
            # not a comment: inside the here-document
            key = value
            EOF
            echo "a << b" # trailing comment stays
            cat <<-END
            	indented
            	END
            echo done

            """);

        var session = SessionImporter.Import(path, Options with { Name = "deploy" });

        Assert.Equal(
            [
                "set -euo pipefail",
                "docker build \\\n  -t app .",
                "cat <<'EOF' > config.ini\n# not a comment: inside the here-document\nkey = value\nEOF",
                "echo \"a << b\" # trailing comment stays",
                "cat <<-END\n\tindented\n\tEND",
                "echo done",
            ],
            session.Commands.Select(c => c.Command));
        Assert.Equal("deploy", session.Name);
        Assert.Equal("bash", session.Header.Shell);
    }

    [Fact]
    public void A_here_document_without_its_terminator_does_not_swallow_the_rest_of_the_script()
    {
        var path = Write("math.sh", "echo $((1 <<x))\necho after\n");

        var session = SessionImporter.Import(path, Options);

        Assert.Equal(["echo $((1 <<x))", "echo after"], session.Commands.Select(c => c.Command));
        Assert.Null(session.Header.Shell);
    }

    [Fact]
    public void The_format_can_be_forced()
    {
        var path = Write("notes.txt", ": 1700000000:3;make\n");

        var asScript = SessionImporter.Import(path, Options with { Format = ImportFormat.Script });
        var asZsh = SessionImporter.Import(path, Options);

        Assert.Equal(": 1700000000:3;make", asScript.Commands.Single().Command);
        Assert.Equal("make", asZsh.Commands.Single().Command);
    }

    [Fact]
    public void The_working_directory_defaults_to_the_current_one()
    {
        var path = Write("s.sh", "ls\n");

        var session = SessionImporter.Import(path);

        Assert.Equal(Directory.GetCurrentDirectory(), session.Commands.Single().Cwd);
    }

    [Fact]
    public void A_binary_file_is_refused_as_not_text()
    {
        var path = Path.Combine(_temp, "program");
        var bytes = new byte[4096];
        new Random(7).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);

        var detect = Assert.Throws<ImportException>(() => SessionImporter.Detect(path));
        var import = Assert.Throws<ImportException>(() => SessionImporter.Import(path, Options with { Format = ImportFormat.Script }));

        Assert.StartsWith("it is not text (", detect.Reason, StringComparison.Ordinal);
        Assert.StartsWith("it is not text (", import.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_of_nul_bytes_is_not_text()
    {
        var path = Path.Combine(_temp, "zeros");
        File.WriteAllBytes(path, new byte[100]);

        Assert.StartsWith("it is not text (100 of its 100 bytes", Assert.Throws<ImportException>(() => SessionImporter.Import(path, Options)).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_history_with_a_few_stray_bytes_or_zsh_metafied_text_is_still_text()
    {
        // One Latin-1 line among many, and a zsh history whose non-ASCII text is all metafied (0x83 before a byte).
        var latin1 = Path.Combine(_temp, "old.sh");
        File.WriteAllBytes(latin1, [.. Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("make test\n", 20))), .. "echo caf"u8, 0xE9, (byte)'\n']);
        var metafied = new List<byte>(Encoding.ASCII.GetBytes(": 1700000000:0;echo "));
        foreach (var b in Encoding.UTF8.GetBytes("ünïcødé ünïcødé ünïcødé"))
        {
            metafied.AddRange(b >= 0x83 ? [0x83, (byte)(b ^ 0x20)] : [b]);
        }

        metafied.Add((byte)'\n');
        var zsh = Path.Combine(_temp, ".zsh_history");
        File.WriteAllBytes(zsh, [.. metafied]);

        Assert.Equal(21, SessionImporter.Import(latin1, Options).Commands.Length);
        Assert.Equal("echo ünïcødé ünïcødé ünïcødé", Assert.Single(SessionImporter.Import(zsh, Options).Commands).Command);
    }

    [Fact]
    public void A_file_without_commands_is_an_error()
    {
        var path = Write("empty.sh", "#!/bin/sh\n# nothing\n\n");

        var error = Assert.Throws<ImportException>(() => SessionImporter.Import(path, Options));

        Assert.Contains("no command", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_session_file_is_imported_as_it_is_and_gets_a_new_id_when_its_id_is_taken()
    {
        var store = SessionStore.Open(Path.Combine(_temp, "store"));
        var original = SessionImporter.ImportInto(store, Write("a.sh", "make\nmake test\n"), Options with { Name = "original" });
        var file = Path.Combine(store.Directory, original.Id + ".ndjson");
        var copy = Path.Combine(_temp, "exported.ndjson");
        File.Copy(file, copy);

        Assert.Equal(ImportFormat.Session, SessionImporter.Detect(copy));
        var asIs = SessionImporter.Import(copy);
        Assert.Equal(SessionFormat.Write(original), SessionFormat.Write(asIs));

        var imported = SessionImporter.ImportInto(store, copy, new ImportOptions { Name = "again" });

        Assert.NotEqual(original.Id, imported.Id);
        Assert.Equal("again", imported.Name);
        Assert.Equal(Lines(original), Lines(imported));
        Assert.Equal(2, store.List().Count);
        Assert.Throws<SessionExistsException>(() => SessionImporter.ImportInto(store, copy));
    }

    [Fact]
    public void Imported_sessions_are_saved_owner_only_and_load_back()
    {
        var store = SessionStore.Open(Path.Combine(_temp, "store"));
        var session = SessionImporter.ImportInto(store, Write("zsh_history", ": 1700000000:2;make\n"), Options);

        var load = store.Load("imported-zsh_history");

        Assert.True(load.IsClean);
        Assert.Equal(Lines(session), Lines(load.Session));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(load.Path));
    }
}
