namespace Tether.Sessions.Tests;

/// <summary>An export written to a file: atomic, owner-only, executable only when asked, never through a link.</summary>
public sealed class ExportFileSpecs : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tether-export-file-specs-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static ExportResult Result(string text) => new() { Text = text };

    [Fact]
    public void A_script_is_written_owner_only_and_executable_and_other_formats_owner_only()
    {
        var script = Path.Combine(_directory, "replay.sh");
        var makefile = Path.Combine(_directory, "Makefile");

        ExportFile.Write(script, Result("#!/usr/bin/env bash\necho hi\n"), executable: true);
        ExportFile.Write(makefile, Result("all:\n\techo hi\n"));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(script));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(makefile));
        Assert.Equal("#!/usr/bin/env bash\necho hi\n", File.ReadAllText(script));
    }

    [Fact]
    public void An_existing_file_is_replaced_whole_and_no_temporary_file_is_left()
    {
        var path = Path.Combine(_directory, "replay.sh");
        File.WriteAllText(path, "old content that is longer than the new one\n");

        ExportFile.Write(path, Result("new\n"), executable: true);

        Assert.Equal("new\n", File.ReadAllText(path));
        Assert.Equal(["replay.sh"], Directory.EnumerateFileSystemEntries(_directory).Select(Path.GetFileName));
    }

    [Fact]
    public void A_symbolic_link_is_refused_and_its_target_is_untouched()
    {
        var target = Path.Combine(_directory, "target.txt");
        File.WriteAllText(target, "untouched");
        var link = Path.Combine(_directory, "link.sh");
        File.CreateSymbolicLink(link, target);

        var error = Assert.ThrowsAny<IOException>(() => ExportFile.Write(link, Result("echo hi\n"), executable: true));

        Assert.Contains("symbolic link", error.Message, StringComparison.Ordinal);
        Assert.Equal("untouched", File.ReadAllText(target));
        Assert.NotNull(new FileInfo(link).LinkTarget);
    }

    [Fact]
    public void A_directory_is_refused_as_a_directory()
    {
        var error = Assert.ThrowsAny<IOException>(() => ExportFile.Write(_directory, Result("echo hi\n")));

        Assert.Equal("it is a directory", error.Message);
    }
}
