using System.Text;
using System.Text.Json;
using Tether.Cli.Tests.Infrastructure;
using Tether.Journaling;
using Tether.Sessions;

namespace Tether.Cli.Tests;

/// <summary>
/// One set of secret-bearing arguments goes through every writer Tether has — <c>tether run --journal</c>,
/// <c>tether run --cassette</c>, <see cref="Command.ToString"/>, an exception message and a recorded shell session —
/// and no file or string holds any secret value, while each argument is masked to the same text everywhere.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RedactionEverywhereSpecs : IDisposable
{
    /// <summary>Every secret value below starts with this, so that one search finds any of them.</summary>
    private const string SecretPrefix = "s3cr3t-";

    /// <summary>The arguments, each secret distinctive, for a program named mysql (where -p means password).</summary>
    private static readonly string[] Arguments =
    [
        "--pass", "s3cr3t-pass-1",
        "--password=s3cr3t-pass-2",
        "--token", "s3cr3t-token-3",
        "-p", "s3cr3t-mysql-4",
        "-H", "Authorization: Bearer s3cr3t-bearer-5",
        "https://u:s3cr3t-url-6@db.example.com/x",
        "API_KEY=s3cr3t-key-7",
        "AWS_SECRET_ACCESS_KEY=s3cr3t-aws-8",
        "--auth", "s3cr3t-auth-10",
    ];

    /// <summary>The same arguments as every writer must store them.</summary>
    private static readonly string[] Masked =
    [
        "--pass", "***",
        "--password=***",
        "--token", "***",
        "-p", "***",
        "-H", "Authorization: Bearer ***",
        "https://u:***@db.example.com/x",
        "API_KEY=***",
        "AWS_SECRET_ACCESS_KEY=***",
        "--auth", "***",
    ];

    /// <summary>A secret only the command knows is one (<see cref="Command.AddSecretArgument"/>); the tool has no
    /// option to mark one, so it goes through the library writers.</summary>
    private const string Marked = "s3cr3t-marked-9";

    /// <summary>What <see cref="Command.ToString"/> and a recorded session both show for mysql and <see cref="Arguments"/>.</summary>
    private const string MaskedLine =
        "mysql --pass *** --password=*** --token *** -p *** -H 'Authorization: Bearer ***' https://u:***@db.example.com/x API_KEY=*** AWS_SECRET_ACCESS_KEY=*** --auth ***";

    private readonly TempDirectory _temp = new();
    private readonly string _mysql;

    public RedactionEverywhereSpecs()
    {
        // A program named mysql that echoes its arguments on stdout and stderr (as a verbose tool would) and fails.
        _mysql = _temp.Child("mysql");
        File.WriteAllText(_mysql, $"#!/bin/sh\n'{Dummy.Path}' echo-args \"$@\"\n'{Dummy.Path}' stderr \"$@\"\nexit 3\n");
        File.SetUnixFileMode(_mysql, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Tether_run_with_a_journal_stores_every_secret_masked()
    {
        // Arrange
        var journal = _temp.Child("journal");

        // Act
        var result = await Tool.RunAsync(["run", "--journal", journal, "--job", "secrets", "--", _mysql, .. Arguments]);

        // Assert
        Assert.True(result.ExitCode == 3, result.ToString());
        AssertNoSecretIn(journal);
        var command = Assert.Single(await ReadJournalAsync(journal), r => r.Type == "job.command").Data!.Value;
        Assert.Equal<string?>(Masked, command.GetProperty("args").EnumerateArray().Select(a => a.GetString()));
    }

    [Fact]
    public async Task Tether_run_recording_a_cassette_stores_every_secret_masked_in_arguments_and_echoed_output()
    {
        // Arrange
        var cassette = _temp.Child("cassette.json");

        // Act
        var result = await Tool.RunAsync(["run", "--cassette", cassette, "--mode", "record", "--", _mysql, .. Arguments]);

        // Assert
        Assert.True(result.ExitCode == 3, result.ToString());
        AssertNoSecretIn(cassette);
        var entry = Assert.Single(Tether.Testing.Cassette.Load(cassette).Entries);
        Assert.Equal<string>(Masked, entry.Arguments);
        Assert.Equal(JsonSerializer.Serialize(Masked) + "\n", entry.Stdout);
        Assert.Equal(string.Join(' ', Masked) + "\n", entry.Stderr);
    }

    [Fact]
    public async Task A_recorded_cassette_replays_the_same_secret_bearing_command()
    {
        // Arrange: the key of a live call is its masked arguments, as stored.
        var cassette = _temp.Child("cassette.json");
        await Tool.RunAsync(["run", "--cassette", cassette, "--mode", "record", "--", _mysql, .. Arguments]);

        // Act
        var replayed = await Tool.RunAsync(["run", "--cassette", cassette, "--mode", "replay", "--", _mysql, .. Arguments]);

        // Assert
        Assert.True(replayed.ExitCode == 3, replayed.ToString());
        Assert.Equal(JsonSerializer.Serialize(Masked) + "\n", replayed.Stdout);
    }

    [Fact]
    public void A_command_describes_itself_with_every_secret_masked()
    {
        // Act
        var text = new Command("mysql").WithArguments(Arguments).AddSecretArgument(Marked).ToString();

        // Assert
        Assert.Equal(MaskedLine + " ***", text);
    }

    [Fact]
    public async Task The_message_of_a_failed_run_shows_the_command_and_its_stderr_with_every_secret_masked()
    {
        // Arrange: the program prints all its arguments, the marked one too, on stderr before it fails.
        var command = new Command(_mysql).WithArguments(Arguments).AddSecretArgument(Marked);

        // Act
        var error = await Assert.ThrowsAsync<NonZeroExitException>(() => ProcessRunner.Default.RunAsync(command));

        // Assert
        Assert.DoesNotContain(SecretPrefix, error.Message, StringComparison.Ordinal);
        Assert.Contains(string.Join(' ', Masked) + " ***", error.Message, StringComparison.Ordinal);
        Assert.StartsWith($"'{_mysql} {MaskedLine["mysql ".Length..]} ***' exited with code 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_recorded_shell_session_stores_the_same_line_with_every_secret_masked()
    {
        // Arrange: this test process stands in for the shell and writes the line to the spool as the hooks would.
        var store = SessionStore.Open(_temp.Child("sessions"));
        var state = _temp.Child("state");
        var recorder = new Recorder(store, state);
        recorder.Start(Environment.ProcessId, "secrets", "bash");
        var key = Path.GetFileNameWithoutExtension(Assert.Single(Directory.GetFiles(state, "*.active")));
        var typed = "mysql " + string.Join(' ', Arguments.Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"'{a}'" : a));
        File.AppendAllText(Path.Combine(state, key + ".spool"), $"B\t1769862000\t/srv\t{typed}\nE\t1769862001\t3\n");

        // Act
        var saved = recorder.Stop(Environment.ProcessId);

        // Assert
        AssertNoSecretIn(saved.Path);
        Assert.Equal(MaskedLine, Assert.Single(store.Load("secrets").Session.Commands).Command);
    }

    [Fact]
    public void The_same_argument_is_masked_to_the_same_text_in_every_writer()
    {
        // Arrange
        var command = new Command("mysql").WithArguments(Arguments);

        // Act
        var asRecord = CommandRecord.For(command, new CommandRun()).Data["args"]!.AsArray().Select(a => (string?)a);
        var asCassette = RedactionPolicy.Default.For(command).Arguments;
        var asLine = RedactionPolicy.Default.Redact("mysql " + string.Join(' ', Arguments.Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"'{a}'" : a)));

        // Assert
        Assert.Equal<string?>(Masked, asRecord);
        Assert.Equal<string>(Masked, asCassette);
        Assert.Equal(MaskedLine, asLine);
        Assert.Equal(MaskedLine, command.ToString());
    }

    private static void AssertNoSecretIn(string path)
    {
        var files = Directory.Exists(path) ? Directory.GetFiles(path, "*", SearchOption.AllDirectories) : [path];
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var bytes = File.ReadAllBytes(file);
            var at = bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(SecretPrefix));
            Assert.True(at < 0, $"{file} holds a secret at byte {at}: {Encoding.UTF8.GetString(bytes)}");
        }
    }

    private static async Task<List<JournalRecord>> ReadJournalAsync(string journal)
    {
        var records = new List<JournalRecord>();
        await foreach (var record in new JournalReader(journal).ReadAsync())
        {
            records.Add(record);
        }

        return records;
    }
}
