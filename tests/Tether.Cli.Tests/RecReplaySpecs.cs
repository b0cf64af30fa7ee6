using System.Globalization;
using System.Text.Json;
using Tether.Cli.Tests.Infrastructure;
using Tether.Sessions;

namespace Tether.Cli.Tests;

/// <summary>
/// <c>tether rec replay</c>: a dry run predicts the real run, the command range is checked, and each command's output
/// comes after the line that announces it. The tool runs as a child process with its own store.
/// </summary>
public sealed class RecReplaySpecs : IDisposable
{
    private readonly TempDirectory _temp = new();

    public RecReplaySpecs()
    {
        Directory.CreateDirectory(SessionsDir);
        Directory.CreateDirectory(WorkDir);
    }

    private string SessionsDir => _temp.Child("sessions");

    private string WorkDir => _temp.Child("work");

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("skip")]
    [InlineData("abort")]
    [InlineData("ask")]
    [InlineData("allow")]
    public async Task A_dry_run_reports_the_verdicts_counts_and_exit_code_of_the_real_run(string policy)
    {
        Directory.CreateDirectory(Path.Combine(WorkDir, "scratch"));
        Create("cleanup", "touch a", "rm -rf scratch", "touch b");

        // stdin is not a terminal and gives no answer: --danger ask is answered no, in both runs.
        var dry = await RunAsync(["rec", "replay", "cleanup", "--danger", policy, "--dry-run", "--json"], stdin: "");
        Assert.False(File.Exists(Path.Combine(WorkDir, "a")));
        Assert.True(Directory.Exists(Path.Combine(WorkDir, "scratch")));
        var real = await RunAsync(["rec", "replay", "cleanup", "--danger", policy, "--json"], stdin: "");

        var (drySteps, drySummary) = Parse(dry);
        var (realSteps, realSummary) = Parse(real);
        // A command that would run is one that ran (and, here, succeeded); every other verdict is the same word.
        Assert.Equal(realSteps.Select(s => s.Replace("succeeded", "would_run", StringComparison.Ordinal)), drySteps);
        foreach (var count in new[] { "skipped", "not_run", "failed" })
        {
            Assert.True(realSummary.GetProperty(count).GetInt32() == drySummary.GetProperty(count).GetInt32(), $"{count}: {dry}\n{real}");
        }

        Assert.Equal(realSummary.GetProperty("aborted").GetBoolean(), drySummary.GetProperty("aborted").GetBoolean());
        Assert.True(real.ExitCode == dry.ExitCode, $"{dry}\n{real}");
        Assert.Equal(policy == "abort" ? 1 : 0, real.ExitCode);
        Assert.Equal(policy == "allow", !Directory.Exists(Path.Combine(WorkDir, "scratch")));
    }

    [Fact]
    public async Task A_dry_run_in_text_skips_a_dangerous_command_as_the_default_real_run_does()
    {
        Create("cleanup", "touch a", "rm -rf scratch");

        var result = await RunAsync(["rec", "replay", "cleanup", "--dry-run"], stdin: "");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("[1/2] would run: touch a", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("[2/2] skipped (dangerous:", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("1 would run, 1 skipped.", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dry_run_with_danger_abort_exits_1_as_the_real_run_does()
    {
        Create("cleanup", "touch a", "rm -rf scratch");

        var result = await RunAsync(["rec", "replay", "cleanup", "--dry-run", "--danger", "abort"], stdin: "");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("[1/2] not run (", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("command 2 is dangerous", result.SingleErrorLine(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("99")]
    [InlineData("4")]
    public async Task From_past_the_last_command_is_a_usage_error_naming_the_valid_range(string from)
    {
        Create("build", "touch a", "touch b", "touch c");

        var result = await RunAsync(["rec", "replay", "build", "--from", from], stdin: "");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"tether: --from {from}: 'build' has 3 commands: give a number from 1 to 3.", result.SingleErrorLine());
        Assert.Empty(Directory.GetFiles(WorkDir));
    }

    [Fact]
    public async Task From_the_last_command_replays_only_that_one()
    {
        Create("build", "touch a", "touch b", "touch c");

        var result = await RunAsync(["rec", "replay", "build", "--from", "3"], stdin: "");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["c"], Directory.GetFiles(WorkDir).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Each_commands_output_comes_after_the_line_that_announces_it()
    {
        // The output ("out1") differs from the command text, so finding it cannot mean finding the announcement.
        Create("talk", "printf 'out%s\\n' 1", "printf 'out%s\\n' 2");

        var result = await RunAsync(["rec", "replay", "talk"], stdin: "");

        Assert.True(result.ExitCode == 0, result.ToString());
        var positions = new[] { "[1/2] running: ", "out1", "[1/2] ok: ", "[2/2] running: ", "out2", "[2/2] ok: " }
            .Select(text => result.Stdout.IndexOf(text, StringComparison.Ordinal))
            .ToArray();
        Assert.True(positions.All(p => p >= 0), result.Stdout);
        Assert.True(positions.SequenceEqual(positions.Order()), result.Stdout);
    }

    private static (string[] Steps, JsonElement Summary) Parse(CliResult result)
    {
        var lines = result.StdoutLines.Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToArray();
        var steps = lines[..^1].Select(l => string.Create(CultureInfo.InvariantCulture, $"{l.GetProperty("number").GetInt32()} {l.GetProperty("result").GetString()}")).ToArray();
        return (steps, lines[^1]);
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

    private Task<CliResult> RunAsync(string[] args, string? stdin) =>
        Tool.RunChildAsync(args, new Dictionary<string, string?> { [SessionStore.DirectoryVariable] = SessionsDir }, _temp.Path, stdin);
}
