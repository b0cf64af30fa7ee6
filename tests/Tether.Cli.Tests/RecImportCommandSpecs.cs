using System.Diagnostics;
using System.Text.Json;
using Tether.Cli.Tests.Infrastructure;

namespace Tether.Cli.Tests;

/// <summary><c>tether rec import</c> and <c>tether rec doctor</c>, run as child processes so that each has its own
/// <c>TETHER_SESSIONS_DIR</c> (in-process runs would share this process's environment).</summary>
public sealed class RecImportCommandSpecs : IDisposable
{

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Import_saves_a_history_file_as_a_session_and_says_so_in_json()
    {
        var history = _temp.Child(".zsh_history");
        await File.WriteAllTextAsync(history, ": 1700000000:2;make\n: 1700000005:0;make test\n");

        var (exitCode, stdout, stderr) = await RunAsync("rec", "import", history, "--json");

        Assert.True(exitCode == 0, stderr);
        using var json = JsonDocument.Parse(stdout.Trim());
        Assert.Equal("imported-.zsh_history", json.RootElement.GetProperty("name").GetString());
        Assert.Equal("zsh-history", json.RootElement.GetProperty("format").GetString());
        Assert.Equal(2, json.RootElement.GetProperty("commands").GetInt32());
        var saved = json.RootElement.GetProperty("path").GetString()!;
        Assert.Equal(_temp.Child("sessions"), Path.GetDirectoryName(saved));
        Assert.Contains("make test", await File.ReadAllTextAsync(saved), StringComparison.Ordinal);

        var again = await RunAsync("rec", "import", history);
        Assert.Equal(1, again.ExitCode);
        Assert.StartsWith("tether: rec import: ", again.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_takes_a_name_and_a_format_and_refuses_an_unknown_format()
    {
        var notes = _temp.Child("notes.txt");
        await File.WriteAllTextAsync(notes, "ls\npwd\n");

        var imported = await RunAsync("rec", "import", notes, "--name", "notes", "--format", "bash-history");
        var bad = await RunAsync("rec", "import", notes, "--format", "csh-history");

        Assert.True(imported.ExitCode == 0, imported.Stderr);
        Assert.Contains("imported 'notes' (2 commands, bash-history)", imported.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("csh-history", bad.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_reports_every_check_and_fails_on_an_unreadable_session_file()
    {
        var healthy = await RunAsync("rec", "doctor", "--json");
        Directory.CreateDirectory(_temp.Child("sessions"));
        await File.WriteAllTextAsync(Path.Combine(_temp.Child("sessions"), Guid.NewGuid().ToString("D") + ".ndjson"), "garbage\n");
        var broken = await RunAsync("rec", "doctor");

        Assert.True(healthy.ExitCode == 0, healthy.Stdout + healthy.Stderr);
        using var json = JsonDocument.Parse(healthy.Stdout.Trim());
        Assert.True(json.RootElement.GetProperty("ok").GetBoolean());
        var names = json.RootElement.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("name").GetString()).ToList();
        Assert.Contains("storage", names);
        Assert.Contains("hooks", names);
        Assert.Equal(1, broken.ExitCode);
        Assert.Contains("FAIL  session-files", broken.Stdout, StringComparison.Ordinal);
        Assert.StartsWith("tether: rec doctor: ", broken.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_of_a_directory_says_it_is_a_directory()
    {
        var directory = Directory.CreateDirectory(_temp.Child("histories")).FullName;

        var (exitCode, stdout, stderr) = await RunAsync("rec", "import", directory);

        Assert.Equal(1, exitCode);
        Assert.Equal($"tether: rec import: cannot import '{directory}': it is a directory; give a shell history file, a script or a session file.", stderr.TrimEnd('\n'));
        Assert.Empty(stdout);
    }

    [Fact]
    public async Task Import_of_a_binary_file_is_refused_with_one_line_and_saves_nothing()
    {
        var binary = _temp.Child("program");
        var bytes = new byte[64 * 1024];
        new Random(11).NextBytes(bytes);
        await File.WriteAllBytesAsync(binary, bytes);

        var (exitCode, stdout, stderr) = await RunAsync("rec", "import", binary);

        Assert.Equal(1, exitCode);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.Contains($"cannot import '{binary}': it is not text (", stderr, StringComparison.Ordinal);
        Assert.Contains("bytes are NUL or not UTF-8", stderr, StringComparison.Ordinal);
        Assert.Empty(stdout);
        Assert.False(Directory.Exists(_temp.Child("sessions")) && Directory.EnumerateFiles(_temp.Child("sessions")).Any());
    }

    [Fact]
    public async Task Rename_to_an_invalid_name_says_what_a_valid_name_is_without_a_parameter_name()
    {
        var history = _temp.Child("build.sh");
        await File.WriteAllTextAsync(history, "make\n");
        Assert.Equal(0, (await RunAsync("rec", "import", history, "--name", "a")).ExitCode);

        var (exitCode, _, stderr) = await RunAsync("rec", "rename", "a", "bad/name");

        Assert.Equal(1, exitCode);
        Assert.Equal("tether: rec rename: the session name 'bad/name' cannot be used: a name cannot contain '/' (a session name is 1 to 200 characters, without '/' or control characters, and does not start with '.').", stderr.TrimEnd('\n'));
    }

    private async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var result = await Tool.RunChildAsync(args, new Dictionary<string, string?>
        {
            ["TETHER_SESSIONS_DIR"] = _temp.Child("sessions"),
            ["TETHER_REC_DIR"] = _temp.Child("state"),
            ["HOME"] = _temp.Child("home"),
            ["TETHER_REC_HOOKS"] = null,
        }, _temp.Path);
        return (result.ExitCode, result.Stdout, result.Stderr);
    }
}
