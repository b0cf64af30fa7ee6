using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Tether.Cli.Tests.Infrastructure;
using Tether.Sessions;

namespace Tether.Cli.Tests;

/// <summary>
/// <c>tether rec init | start | stop | status | replay | export</c>. The tool runs as a child process, so that the
/// store and state directories (and the shell it records) are set through its own environment, never this process's.
/// </summary>
public sealed class RecCommandSpecs : IDisposable
{
    private static readonly string Executable = Tool.Executable;

    private readonly TempDirectory _temp = new();
    private readonly Process _shell;

    public RecCommandSpecs()
    {
        Directory.CreateDirectory(SessionsDir);
        Directory.CreateDirectory(WorkDir);
        // Stands in for the recording shell: any live process will do, the hooks are not exercised here.
        _shell = Process.Start(new ProcessStartInfo("sleep", "600") { UseShellExecute = false })!;
    }

    private string SessionsDir => _temp.Child("sessions");

    private string StateDir => _temp.Child("state");

    private string WorkDir => _temp.Child("work");

    public void Dispose()
    {
        try
        {
            _shell.Kill();
            _shell.WaitForExit();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _shell.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task Init_bash_prints_the_hook_functions_with_the_state_directory()
    {
        var result = await RunAsync("rec", "init", "bash");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("tether() {", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("__tether_rec_precmd", result.Stdout, StringComparison.Ordinal);
        Assert.Contains(StateDir, result.Stdout, StringComparison.Ordinal);
        Assert.Empty(result.Stderr);
    }

    [Fact]
    public async Task Init_of_an_unknown_shell_is_a_usage_error()
    {
        var result = await RunAsync("rec", "init", "tcsh");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("bash, zsh or fish", result.SingleErrorLine(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_status_stop_round_trip_saves_an_empty_session()
    {
        var start = await RunAsync("rec", "start", "demo");
        Assert.True(start.ExitCode == 0, start.ToString());
        Assert.Contains("Recording 'demo'", start.Stdout, StringComparison.Ordinal);

        var status = await RunAsync("rec", "status", "--json");
        Assert.True(status.ExitCode == 0, status.ToString());
        var json = status.Json();
        Assert.True(json.GetProperty("recording").GetBoolean());
        Assert.Equal("demo", json.GetProperty("name").GetString());
        Assert.Equal(_shell.Id, json.GetProperty("shell_pid").GetInt32());
        Assert.Equal(0, json.GetProperty("commands").GetInt32());

        var again = await RunAsync("rec", "start", "other");
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already recording", again.SingleErrorLine(), StringComparison.Ordinal);

        var stop = await RunAsync("rec", "stop");
        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.Equal("Saved 'demo': 0 commands.", stop.Stdout.Trim());

        var after = await RunAsync("rec", "status");
        Assert.True(after.ExitCode == 0, after.ToString());
        Assert.StartsWith("Not recording", after.Stdout, StringComparison.Ordinal);

        var stopAgain = await RunAsync("rec", "stop");
        Assert.Equal(1, stopAgain.ExitCode);
        stopAgain.SingleErrorLine();

        var saved = SessionStore.Open(SessionsDir).Load("demo").Session;
        Assert.Empty(saved.Commands);
        Assert.Equal(SessionStatus.Completed, saved.Footer?.Status);
    }

    [Fact]
    public async Task Replay_runs_every_command_in_its_recorded_directory_and_exits_0()
    {
        Create("build", "touch a", "touch b");

        var result = await RunAsync("rec", "replay", "build");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(File.Exists(Path.Combine(WorkDir, "a")));
        Assert.True(File.Exists(Path.Combine(WorkDir, "b")));
        Assert.Contains("[1/2] ok: touch a", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("[2/2] ok: touch b", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_with_a_failing_command_goes_on_and_exits_1()
    {
        Create("flaky", "exit 3", "touch after");

        var result = await RunAsync("rec", "replay", "flaky");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("[1/2] failed (exited with code 3): exit 3", result.Stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(WorkDir, "after")));
        Assert.Contains("1 of 2 commands failed", result.SingleErrorLine(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_with_stop_on_error_runs_nothing_after_the_failure()
    {
        Create("flaky", "false", "touch after");

        var result = await RunAsync("rec", "replay", "flaky", "--stop-on-error", "--json");

        Assert.Equal(1, result.ExitCode);
        Assert.False(File.Exists(Path.Combine(WorkDir, "after")));
        var lines = result.StdoutLines.Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToArray();
        Assert.Equal("failed", lines[0].GetProperty("result").GetString());
        Assert.Equal(1, lines[0].GetProperty("exit_code").GetInt32());
        Assert.Equal("not_run", lines[1].GetProperty("result").GetString());
        Assert.False(lines[^1].GetProperty("succeeded").GetBoolean());
    }

    [Fact]
    public async Task Dry_run_runs_nothing_and_shows_what_would_run()
    {
        Create("build", "touch a", "touch b");

        var result = await RunAsync("rec", "replay", "build", "--dry-run", "--skip", "2");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.False(File.Exists(Path.Combine(WorkDir, "a")));
        Assert.Contains("[1/2] would run: touch a", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("[2/2] skipped (--skip): touch b", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Danger_abort_runs_nothing_when_a_command_is_dangerous()
    {
        Create("cleanup", "touch a", "rm -rf gone");

        var result = await RunAsync("rec", "replay", "cleanup", "--danger", "abort");

        Assert.Equal(1, result.ExitCode);
        Assert.False(File.Exists(Path.Combine(WorkDir, "a")));
        Assert.Contains("command 2 is dangerous", result.SingleErrorLine(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dangerous_commands_are_skipped_by_default()
    {
        Directory.CreateDirectory(Path.Combine(WorkDir, "keep"));
        Create("cleanup", "touch a", "rm -rf keep");

        var result = await RunAsync("rec", "replay", "cleanup");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(File.Exists(Path.Combine(WorkDir, "a")));
        Assert.True(Directory.Exists(Path.Combine(WorkDir, "keep")));
        Assert.Contains("[2/2] skipped (dangerous:", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Step_reads_the_answers_from_a_redirected_stdin_and_no_answer_means_no()
    {
        Create("build", "touch a", "touch b", "touch c");

        var result = await RunAsync(["rec", "replay", "build", "--step"], stdin: "y\nn\n");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(File.Exists(Path.Combine(WorkDir, "a")));
        Assert.False(File.Exists(Path.Combine(WorkDir, "b")));
        Assert.False(File.Exists(Path.Combine(WorkDir, "c")));
        Assert.Contains("[2/3] skipped (declined): touch b", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("[3/3] skipped (declined): touch c", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_of_an_unknown_session_exits_1_with_one_line()
    {
        var result = await RunAsync("rec", "replay", "nope");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("rec replay:", result.SingleErrorLine(), StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task Export_bash_to_a_file_writes_an_owner_only_script_that_replays_the_session()
    {
        Create("build", "touch a", "echo hi > b");
        var script = _temp.Child("build.sh");

        var result = await RunAsync("rec", "export", "build", "-f", "bash", "-o", script);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(result.Stdout);
        Assert.Equal(UnixFileMode.None, File.GetUnixFileMode(script) & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite));

        var bash = await RunProcessAsync("/bin/bash", [script], new Dictionary<string, string>(), stdin: null);
        Assert.True(bash.ExitCode == 0, bash.ToString());
        Assert.True(File.Exists(Path.Combine(WorkDir, "a")));
        Assert.Equal("hi\n", File.ReadAllText(Path.Combine(WorkDir, "b")));
    }

    [Fact]
    public async Task Export_refuses_to_write_through_a_symbolic_link()
    {
        Create("build", "touch a");
        var target = _temp.Child("target.txt");
        File.WriteAllText(target, "untouched");
        var link = _temp.Child("link.sh");
        File.CreateSymbolicLink(link, target);

        var result = await RunAsync("rec", "export", "build", "-f", "bash", "-o", link);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("symbolic link", result.SingleErrorLine(), StringComparison.Ordinal);
        Assert.Equal("untouched", File.ReadAllText(target));
    }

    [Fact]
    public async Task Export_github_actions_goes_to_stdout()
    {
        Create("build", "make test");

        var result = await RunAsync("rec", "export", "build", "-f", "github-actions");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("steps:", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("make test", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_with_an_unknown_format_is_a_usage_error()
    {
        Create("build", "make test");

        var result = await RunAsync("rec", "export", "build", "-f", "cobol");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("github-actions", result.SingleErrorLine(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_warns_about_unfilled_placeholders()
    {
        Create("build", "echo {{GREETING}}");

        var result = await RunAsync("rec", "export", "build", "-f", "bash");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("{{GREETING}}", result.SingleErrorLine(), StringComparison.Ordinal);

        var filled = await RunAsync("rec", "export", "build", "-f", "bash", "--param", "GREETING=hello");
        Assert.True(filled.ExitCode == 0, filled.ToString());
        Assert.Empty(filled.Stderr);
        Assert.Contains("echo hello", filled.Stdout, StringComparison.Ordinal);
    }

    /// <summary>Writes a finished session of <paramref name="commands"/>, all recorded in <see cref="WorkDir"/>.</summary>
    private void Create(string name, params string[] commands)
    {
        var store = SessionStore.Open(SessionsDir);
        var started = DateTimeOffset.UtcNow.AddMinutes(-5);
        using var writer = store.Create(new SessionHeader { Id = Guid.NewGuid().ToString("D"), Name = name, Shell = "bash", Os = "linux", Started = started });
        for (var i = 0; i < commands.Length; i++)
        {
            var at = started.AddSeconds(i);
            writer.Append(new RecordedCommand { Index = i, Command = commands[i], Cwd = WorkDir, Started = at, Ended = at.AddMilliseconds(10), ExitCode = 0, Duration = TimeSpan.FromMilliseconds(10) });
        }

        writer.Finish(new SessionFooter { Ended = started.AddSeconds(commands.Length), CommandCount = commands.Length, Status = SessionStatus.Completed });
    }

    private Task<CliResult> RunAsync(params string[] args) => RunAsync(args, stdin: null);

    private Task<CliResult> RunAsync(string[] args, string? stdin) => RunProcessAsync(Executable, args, new Dictionary<string, string>
    {
        [SessionStore.DirectoryVariable] = SessionsDir,
        [RecordingDirectory.DirectoryVariable] = StateDir,
        [RecordingShell.PidVariable] = _shell.Id.ToString(CultureInfo.InvariantCulture),
        [RecordingShell.ShellVariable] = "bash",
    }, stdin);

    private Task<CliResult> RunProcessAsync(string program, string[] args, Dictionary<string, string> environment, string? stdin) =>
        Tool.RunProgramAsync(program, args, environment.ToDictionary(e => e.Key, e => (string?)e.Value), _temp.Path, stdin);
}
