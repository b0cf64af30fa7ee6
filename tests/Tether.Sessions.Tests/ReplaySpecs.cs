using System.Collections.Immutable;

namespace Tether.Sessions.Tests;

/// <summary>Replaying a session through Tether's contained runner, with real bash and real files.</summary>
public sealed class ReplaySpecs : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tether-replay-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Each_command_runs_in_its_recorded_directory_and_the_report_says_it_succeeded()
    {
        var sub = Directory.CreateDirectory(Path.Combine(_dir, "sub")).FullName;
        var session = Session(("touch first", _dir), ("touch second", sub));

        var report = await new SessionReplayer().ReplayAsync(session, new ReplayOptions()).Soon();

        Assert.True(report.Succeeded);
        Assert.True(File.Exists(Path.Combine(_dir, "first")));
        Assert.True(File.Exists(Path.Combine(sub, "second")));
        Assert.All(report.Steps, s => Assert.Equal(ReplayStepKind.Succeeded, s.Kind));
    }

    [Fact]
    public async Task A_failed_command_makes_the_replay_fail_and_stop_on_error_stops_there()
    {
        var session = Session(("false", _dir), ("touch after", _dir));

        var goOn = await new SessionReplayer().ReplayAsync(session, new ReplayOptions()).Soon();
        File.Delete(Path.Combine(_dir, "after"));
        var stop = await new SessionReplayer().ReplayAsync(session, new ReplayOptions { StopOnError = true }).Soon();

        Assert.False(goOn.Succeeded);
        Assert.Equal(1, goOn.FailedCount);
        Assert.Equal(ReplayStepKind.Succeeded, goOn.Steps[1].Kind);
        Assert.False(stop.Succeeded);
        Assert.Equal(ReplayStepKind.NotRun, stop.Steps[1].Kind);
        Assert.False(File.Exists(Path.Combine(_dir, "after")));
    }

    [Fact]
    public async Task From_skip_and_skip_patterns_leave_commands_out()
    {
        var session = Session(("touch one", _dir), ("touch two", _dir), ("touch three", _dir), ("touch four.log", _dir));

        var report = await new SessionReplayer().ReplayAsync(session, new ReplayOptions { From = 2, Skip = [3], SkipPatterns = ["touch *.log"] }).Soon();

        Assert.Equal([ReplayStepKind.Skipped, ReplayStepKind.Succeeded, ReplayStepKind.Skipped, ReplayStepKind.Skipped], report.Steps.Select(s => s.Kind));
        Assert.Equal(["two"], Directory.GetFiles(_dir).Select(Path.GetFileName));
        Assert.True(report.Succeeded);
    }

    [Fact]
    public async Task A_dangerous_compound_command_is_skipped_by_default_and_run_when_allowed()
    {
        var victim = Directory.CreateDirectory(Path.Combine(_dir, "victim")).FullName;
        var session = Session(($"cd {_dir} && RM -Rf victim || rm -rf victim", _dir));

        var skipped = await new SessionReplayer().ReplayAsync(session, new ReplayOptions()).Soon();
        Assert.True(Directory.Exists(victim));
        var allowed = await new SessionReplayer().ReplayAsync(session, new ReplayOptions { Danger = DangerPolicy.Allow }).Soon();

        Assert.Equal(ReplayStepKind.Skipped, Assert.Single(skipped.Steps).Kind);
        Assert.NotEmpty(skipped.Steps[0].Findings);
        Assert.StartsWith("dangerous", skipped.Steps[0].Reason, StringComparison.Ordinal);
        Assert.Equal(ReplayStepKind.Succeeded, Assert.Single(allowed.Steps).Kind);
        Assert.False(Directory.Exists(victim));
    }

    [Fact]
    public async Task Abort_checks_every_command_before_running_any()
    {
        var session = Session(("touch safe", _dir), ("rm -rf /tmp/definitely-not-there-" + Guid.NewGuid(), _dir));

        var report = await new SessionReplayer().ReplayAsync(session, new ReplayOptions { Danger = DangerPolicy.Abort }).Soon();

        Assert.True(report.Aborted);
        Assert.False(report.Succeeded);
        Assert.False(File.Exists(Path.Combine(_dir, "safe")));
        Assert.All(report.Steps, s => Assert.Equal(ReplayStepKind.NotRun, s.Kind));
    }

    [Fact]
    public async Task Ask_and_step_ask_before_running_and_a_no_skips()
    {
        var asked = new List<ReplayPrompt>();
        var session = Session(("touch yes", _dir), ("touch no", _dir));
        var options = new ReplayOptions
        {
            Step = true,
            Confirm = (prompt, _) =>
            {
                asked.Add(prompt);
                return Task.FromResult(prompt.Command.EndsWith("yes", StringComparison.Ordinal));
            },
        };

        var report = await new SessionReplayer().ReplayAsync(session, options).Soon();

        Assert.Equal([1, 2], asked.Select(a => a.Number));
        Assert.True(File.Exists(Path.Combine(_dir, "yes")));
        Assert.False(File.Exists(Path.Combine(_dir, "no")));
        Assert.Equal("declined", report.Steps[1].Reason);
        Assert.Throws<ArgumentException>(() => new SessionReplayer().ReplayAsync(session, new ReplayOptions { Danger = DangerPolicy.Ask }).GetAwaiter().GetResult());
    }

    [Fact]
    public async Task A_dry_run_runs_nothing_and_flags_dangerous_commands()
    {
        var session = Session(("touch nothing", _dir), ("sudo rm -rf /", _dir));

        // Allow: the one policy under which a dangerous command would run, so the dry run says it would.
        var report = await new SessionReplayer().ReplayAsync(session, new ReplayOptions { DryRun = true, Danger = DangerPolicy.Allow }).Soon();

        Assert.False(File.Exists(Path.Combine(_dir, "nothing")));
        Assert.All(report.Steps, s => Assert.Equal(ReplayStepKind.WouldRun, s.Kind));
        Assert.Empty(report.Steps[0].Findings);
        Assert.NotEmpty(report.Steps[1].Findings);
    }

    [Theory]
    [InlineData(DangerPolicy.Skip)]
    [InlineData(DangerPolicy.Abort)]
    [InlineData(DangerPolicy.Ask)]
    [InlineData(DangerPolicy.Allow)]
    public async Task A_dry_run_takes_every_decision_the_real_run_takes(DangerPolicy policy)
    {
        var victim = Directory.CreateDirectory(Path.Combine(_dir, "victim")).FullName;
        var session = Session(("touch one", _dir), ("rm -rf victim", _dir), ("touch two", _dir), ("touch three", _dir));
        var options = new ReplayOptions { Danger = policy, Skip = [3], Confirm = (_, _) => Task.FromResult(false) };

        var dry = await new SessionReplayer().ReplayAsync(session, options with { DryRun = true }).Soon();
        Assert.Empty(Directory.GetFiles(_dir));
        Assert.True(Directory.Exists(victim));
        var real = await new SessionReplayer().ReplayAsync(session, options).Soon();

        static ReplayStepKind Predicted(ReplayStepKind kind) => kind == ReplayStepKind.Succeeded ? ReplayStepKind.WouldRun : kind;
        // Why a command is skipped or not run is the same text; one that would run names its dangers (run, it has none).
        Assert.Equal(real.Steps.Select(s => (Predicted(s.Kind), s.Kind == ReplayStepKind.Succeeded ? null : s.Reason)),
            dry.Steps.Select(s => (s.Kind, s.Kind == ReplayStepKind.WouldRun ? null : s.Reason)));
        Assert.Equal((real.Aborted, real.Succeeded), (dry.Aborted, dry.Succeeded));
        Assert.Equal(policy == DangerPolicy.Allow, !Directory.Exists(victim));
    }

    [Fact]
    public async Task A_dry_run_without_a_way_to_ask_says_a_command_would_run_if_the_answer_is_yes()
    {
        var session = Session(("touch one", _dir));

        var report = await new SessionReplayer().ReplayAsync(session, new ReplayOptions { DryRun = true, Step = true }).Soon();

        var step = Assert.Single(report.Steps);
        Assert.Equal((ReplayStepKind.WouldRun, "if the answer is yes"), (step.Kind, step.Reason));
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public async Task A_recorded_directory_that_is_gone_fails_that_command_and_current_runs_it_here()
    {
        var gone = Path.Combine(_dir, "gone");
        var session = Session(("pwd > " + Path.Combine(_dir, "where"), gone));

        var recorded = await new SessionReplayer().ReplayAsync(session, new ReplayOptions()).Soon();
        var current = await new SessionReplayer().ReplayAsync(session, new ReplayOptions { Directory = ReplayDirectory.Current }).Soon();

        Assert.Equal(ReplayStepKind.Failed, recorded.Steps[0].Kind);
        Assert.Contains("--cwd current", recorded.Steps[0].Reason, StringComparison.Ordinal);
        Assert.Equal(ReplayStepKind.Succeeded, current.Steps[0].Kind);
        Assert.Equal(Environment.CurrentDirectory, (await File.ReadAllTextAsync(Path.Combine(_dir, "where"))).Trim());
    }

    [Fact]
    public async Task Interrupting_stops_the_running_commands_whole_tree_and_runs_nothing_after()
    {
        var marker = $"600.{Environment.ProcessId}{Random.Shared.Next(100_000, 999_999)}";
        var session = Session(($"sleep {marker} & sleep {marker}", _dir), ("touch after", _dir));
        using var cancel = new CancellationTokenSource();
        var started = new TaskCompletionSource();

        var replay = new SessionReplayer().ReplayAsync(session, new ReplayOptions(), cancellationToken: cancel.Token);
        await WaitUntilAsync(() => Sleepers(marker) >= 2).Soon();
        await cancel.CancelAsync();
        var report = await replay.Soon();

        Assert.True(report.Interrupted);
        Assert.False(report.Succeeded);
        Assert.Equal(ReplayStepKind.NotRun, report.Steps[1].Kind);
        Assert.False(File.Exists(Path.Combine(_dir, "after")));
        await WaitUntilAsync(() => Sleepers(marker) == 0).Soon();
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        while (!condition())
        {
            await Task.Delay(20);
        }
    }

    /// <summary>Live processes whose command line holds <paramref name="marker"/> (zombies count as gone).</summary>
    private static int Sleepers(string marker)
    {
        var count = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var state = stat[(stat.LastIndexOf(')') + 2)..][0];
                if (cmdline.Contains(marker, StringComparison.Ordinal) && state != 'Z' && cmdline.StartsWith("sleep", StringComparison.Ordinal))
                {
                    count++;
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return count;
    }

    private static Session Session(params (string Command, string Cwd)[] commands) => new()
    {
        Header = new SessionHeader { Id = Guid.NewGuid().ToString(), Name = "replayed", Started = DateTimeOffset.UnixEpoch },
        Commands = [.. commands.Select((c, i) => new RecordedCommand { Index = i, Command = c.Command, Cwd = c.Cwd, Started = DateTimeOffset.UnixEpoch, ExitCode = 0 })],
    };
}
