using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;

namespace Tether.Watch.Tests;

/// <summary>
/// Recovery children: exec only, the agent's pid in their argv, a cleared environment, output only measured, their
/// whole tree killed on timeout and at shutdown, failures to start reported as completions, reaping bounded and fair.
/// </summary>
public sealed class RecoveryRunnerSpecs
{
    private static readonly ImmutableDictionary<string, string> DummyEnvironment =
        ImmutableDictionary<string, string>.Empty.Add("DOTNET_ROOT", Dummy.DotnetRoot);

    private static readonly TimeSpan Step = TimeSpan.FromSeconds(1);

    public RecoveryRunnerSpecs()
    {
        // Ours only; setting it again from every spec is harmless.
        Environment.SetEnvironmentVariable("TETHER_WATCH_SPECS_INHERITED", "from the watcher");
    }

    [Fact]
    public async Task A_recovery_child_receives_the_stalled_agents_pid_in_its_argv()
    {
        // Arrange
        var observer = new ObservingRunner(ProcessRunner.Default);
        var recovery = new RecoveryRunner(DummyCommand("echo-args {pid} --agent={pid} 'a b'"), new RecoveryOptions { Environment = DummyEnvironment }, observer);
        try
        {
            // Act
            Assert.True(recovery.TryStart(7, 4242));
            var completion = await ReapOneAsync(recovery);

            // Assert
            Assert.Equal(new Outcome.Exited(0), completion.Outcome);
            Assert.Null(completion.Failure);
            Assert.Equal((7L, 4242), (completion.RecoveryId, completion.Pid));
            var line = Assert.Single(observer.Single().Lines);
            Assert.Equal(["4242", "--agent=4242", "a b"], JsonSerializer.Deserialize<string[]>(line)!);
            Assert.Equal(line.Length + 1, completion.StdoutBytes);
            Assert.Equal(0, completion.StderrBytes);
            Assert.False(completion.Truncated);
            Assert.True(completion.IsSuccess);
        }
        finally
        {
            await recovery.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_recovery_child_sees_only_the_cleared_PATH_and_the_explicit_variables()
    {
        // Arrange
        var observer = new ObservingRunner(ProcessRunner.Default);
        var options = new RecoveryOptions { Environment = DummyEnvironment.Add("RECOVERY_REASON", "stalled 'agent' ✓") };
        var recovery = new RecoveryRunner(DummyCommand("print-env"), options, observer);
        try
        {
            // Act
            Assert.True(recovery.TryStart(1, 4242));
            var completion = await ReapOneAsync(recovery);

            // Assert
            Assert.Equal(new Outcome.Exited(0), completion.Outcome);
            Assert.Equal(
                [$"DOTNET_ROOT={Dummy.DotnetRoot}", "PATH=/usr/bin:/bin", "RECOVERY_REASON=stalled 'agent' ✓"],
                observer.Single().Lines);
        }
        finally
        {
            await recovery.DisposeAsync();
        }
    }

    [Fact]
    public async Task With_an_inherited_environment_the_child_sees_the_watchers_variables_plus_the_explicit_ones()
    {
        // Arrange
        var observer = new ObservingRunner(ProcessRunner.Default);
        var options = new RecoveryOptions
        {
            InheritEnvironment = true,
            Environment = ImmutableDictionary<string, string>.Empty.Add("RECOVERY_REASON", "stalled"),
        };
        var recovery = new RecoveryRunner(DummyCommand("print-env TETHER_WATCH_SPECS_INHERITED RECOVERY_REASON PATH"), options, observer);
        try
        {
            // Act
            Assert.True(recovery.TryStart(1, 4242));
            var completion = await ReapOneAsync(recovery);

            // Assert
            Assert.Equal(new Outcome.Exited(0), completion.Outcome);
            Assert.Equal(
                ["TETHER_WATCH_SPECS_INHERITED=from the watcher", "RECOVERY_REASON=stalled", $"PATH={Environment.GetEnvironmentVariable("PATH")}"],
                observer.Single().Lines);
        }
        finally
        {
            await recovery.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_recovery_is_run_with_empty_stdin_its_timeout_and_a_capture_that_keeps_the_first_bytes()
    {
        // Arrange
        var observer = new ObservingRunner(ProcessRunner.Default);
        var options = new RecoveryOptions { Timeout = TimeSpan.FromSeconds(12), Grace = TimeSpan.FromSeconds(3), CaptureBytes = 1000 };
        var recovery = new RecoveryRunner(RecoveryCommand.Parse("/bin/sh -c 'exit 0' recover {pid}"), options, observer);
        try
        {
            // Act
            Assert.True(recovery.TryStart(1, 4242));
            await ReapOneAsync(recovery);

            // Assert
            var command = observer.Single().Command;
            Assert.Equal("/bin/sh", command.Program);
            Assert.Equal(["-c", "exit 0", "recover", "4242"], command.Arguments.ToArray());
            Assert.Same(StandardInput.Empty, command.Stdin);
            Assert.Equal(TimeSpan.FromSeconds(12), command.Timeout);
            Assert.Equal(TimeSpan.FromSeconds(3), command.Grace);
            Assert.Equal(new OutputLimit(1000, OverflowPolicy.KeepOldest), command.OutputLimit);
            Assert.Equal(EnvironmentBase.Clear, command.Environment.Base);
        }
        finally
        {
            await recovery.DisposeAsync();
        }
    }

    [Fact]
    public async Task Output_over_the_capture_cap_is_truncated_and_flagged_and_the_child_still_runs_to_its_end()
    {
        // Arrange: 200 000 bytes on stdout, a cap of 1000.
        var options = new RecoveryOptions { Environment = DummyEnvironment, CaptureBytes = 1000 };
        var recovery = new RecoveryRunner(DummyCommand("spew 200000"), options);
        try
        {
            // Act
            Assert.True(recovery.TryStart(1, 4242));
            var completion = await ReapOneAsync(recovery);

            // Assert
            Assert.Equal(new Outcome.Exited(0), completion.Outcome);
            Assert.Equal(1000, completion.StdoutBytes);
            Assert.True(completion.StdoutTruncated);
            Assert.Equal(0, completion.StderrBytes);
            Assert.False(completion.StderrTruncated);
        }
        finally
        {
            await recovery.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_recovery_that_outlives_its_timeout_has_its_whole_tree_killed()
    {
        // Arrange: the child leaves a grandchild behind and sleeps; the virtual clock decides when the timeout runs out.
        var clock = VirtualClock.Create();
        var observer = new ObservingRunner(new ProcessRunner(clock));
        var options = new RecoveryOptions { Environment = DummyEnvironment, Timeout = TimeSpan.FromSeconds(5), Grace = TimeSpan.FromSeconds(2) };
        var recovery = new RecoveryRunner(DummyCommand("grandchild --then-sleep 600000"), options, observer, clock);
        var watched = new List<WatchedProcess>();
        try
        {
            Assert.True(recovery.TryStart(1, 4242));
            var started = observer.Single();
            watched.Add(WatchedProcess.Of(started.Process!.Pid));
            var line = await started.WaitForLineAsync(l => l.StartsWith("grandchild ", StringComparison.Ordinal));
            watched.Add(WatchedProcess.Of(int.Parse(line["grandchild ".Length..], CultureInfo.InvariantCulture)));

            // Act
            var completion = await AdvanceUntilReapedAsync(clock, recovery);

            // Assert
            Assert.Equal(new Outcome.TimedOut(TimeoutKind.Overall, TimeSpan.FromSeconds(5)), completion.Outcome);
            Assert.True(completion.Duration >= TimeSpan.FromSeconds(5), $"{completion.Duration} on the virtual clock");
            Assert.Empty(await WatchedProcess.WaitUntilGoneAsync(watched));
        }
        finally
        {
            await recovery.DisposeAsync();
            watched.ForEach(p => p.Kill());
        }
    }

    [Fact]
    public async Task A_missing_program_is_a_completion_with_a_failure_not_an_exception()
    {
        // Arrange
        var recovery = new RecoveryRunner(RecoveryCommand.Parse("tether-no-such-recovery-program --pid={pid}"), new RecoveryOptions());
        try
        {
            // Act
            var started = recovery.TryStart(3, 4242);
            var completion = await ReapOneAsync(recovery);

            // Assert
            Assert.True(started);
            Assert.Null(completion.Outcome);
            Assert.Equal(RecoveryFailureKind.ProgramNotFound, completion.Failure?.Kind);
            Assert.Equal("looked in /usr/bin, /bin", completion.Failure?.Reason); // the cleared PATH, nothing else
            Assert.Equal((3L, 4242), (completion.RecoveryId, completion.Pid));
            Assert.False(completion.IsSuccess);
            Assert.Equal(0, recovery.InFlight);
        }
        finally
        {
            await recovery.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_program_that_cannot_be_executed_is_a_spawn_failure()
    {
        // Arrange
        var directory = Directory.CreateTempSubdirectory("tether-recovery-specs-");
        var path = Path.Combine(directory.FullName, "not-executable");
        File.WriteAllText(path, "#!/bin/sh\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var recovery = new RecoveryRunner(RecoveryCommand.Parse($"'{path}' {{pid}}"), new RecoveryOptions());
        try
        {
            // Act
            Assert.True(recovery.TryStart(1, 4242));
            var completion = await ReapOneAsync(recovery);

            // Assert
            Assert.Null(completion.Outcome);
            Assert.Equal(RecoveryFailureKind.SpawnFailed, completion.Failure?.Kind);
            Assert.Contains("not executable", completion.Failure?.Reason, StringComparison.Ordinal);
        }
        finally
        {
            await recovery.DisposeAsync();
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Reap_returns_at_most_max_completions_per_call_and_each_exactly_once()
    {
        // Arrange
        var recovery = new RecoveryRunner(Quick(), new RecoveryOptions());
        try
        {
            for (var id = 1; id <= 5; id++)
            {
                Assert.True(recovery.TryStart(id, 4242));
            }

            Assert.True(await Bounds.EventuallyAsync(() => recovery.Running == 0));

            // Act
            var first = recovery.Reap(3);
            var second = recovery.Reap(3);
            var third = recovery.Reap(3);

            // Assert
            Assert.Equal(3, first.Count);
            Assert.Equal(2, second.Count);
            Assert.Empty(third);
            Assert.Equal([1L, 2, 3, 4, 5], first.Concat(second).Select(c => c.RecoveryId).Order());
            Assert.All(first.Concat(second), c => Assert.Equal(new Outcome.Exited(0), c.Outcome));
            Assert.Equal(0, recovery.InFlight);
            Assert.Empty(recovery.Reap(0));
            Assert.Throws<ArgumentOutOfRangeException>(() => recovery.Reap(-1));
        }
        finally
        {
            await recovery.DisposeAsync();
        }
    }

    [Fact]
    public async Task Reap_walks_on_from_where_it_stopped_so_an_early_slot_cannot_starve_later_ones()
    {
        // Arrange: slot 1 waits for a gate file; slots 2 and 3 end at once.
        var directory = Directory.CreateTempSubdirectory("tether-recovery-specs-");
        var gate = Path.Combine(directory.FullName, "gate");
        var command = RecoveryCommand.Parse($"/bin/sh -c 'if [ \"$1\" = 1 ]; then while [ ! -e \"$2\" ]; do sleep 0.05; done; fi' sh {{pid}} '{gate}'");
        var recovery = new RecoveryRunner(command, new RecoveryOptions());
        try
        {
            Assert.True(recovery.TryStart(1, 1));
            Assert.True(recovery.TryStart(2, 2));
            Assert.True(recovery.TryStart(3, 3));
            Assert.True(await Bounds.EventuallyAsync(() => recovery.Running == 1));
            Assert.Equal(2, Assert.Single(recovery.Reap(1)).RecoveryId);

            // Act: slot 1, before the cursor, finishes now.
            File.WriteAllText(gate, "");
            Assert.True(await Bounds.EventuallyAsync(() => recovery.Running == 0));
            var next = recovery.Reap(1);
            var last = recovery.Reap(1);

            // Assert: the walk went on to slot 3 before it came back to slot 1.
            Assert.Equal(3, Assert.Single(next).RecoveryId);
            Assert.Equal(1, Assert.Single(last).RecoveryId);
        }
        finally
        {
            await recovery.DisposeAsync();
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_recovery_id_already_in_flight_is_not_started_twice()
    {
        var recovery = new RecoveryRunner(Quick(), new RecoveryOptions());
        try
        {
            Assert.True(recovery.TryStart(1, 4242));
            Assert.False(recovery.TryStart(1, 4343));
            Assert.Equal(1, recovery.InFlight);

            Assert.Equal(4242, (await ReapOneAsync(recovery)).Pid);
            Assert.True(recovery.TryStart(1, 4343)); // reaped: the id is free again
        }
        finally
        {
            await recovery.DisposeAsync();
        }
    }

    [Fact]
    public async Task Shutdown_stops_a_running_child_with_the_stop_signal_within_the_grace_period()
    {
        // Arrange: a grace period longer than Soon() waits, so only the stop signal can end the child in time.
        var observer = new ObservingRunner(ProcessRunner.Default);
        var recovery = new RecoveryRunner(RecoveryCommand.Parse("/bin/sh -c 'exec sleep 600' recover {pid}"), new RecoveryOptions { Grace = TimeSpan.FromMinutes(2) }, observer);
        WatchedProcess? child = null;
        try
        {
            Assert.True(recovery.TryStart(1, 4242));
            child = WatchedProcess.Of(observer.Single().Process!.Pid);

            // Act
            await recovery.DisposeAsync().AsTask().Soon();

            // Assert
            var completion = Assert.Single(recovery.Reap(10));
            Assert.Equal(new Outcome.Signalled(Signal.Terminate), completion.Outcome);
            Assert.False(child.Value.IsAlive);
            Assert.False(recovery.TryStart(2, 4242));
        }
        finally
        {
            await recovery.DisposeAsync();
            child?.Kill();
        }
    }

    [Fact]
    public async Task Shutdown_kills_a_child_that_ignores_the_stop_signal_once_the_grace_period_is_over()
    {
        // Arrange
        var observer = new ObservingRunner(ProcessRunner.Default);
        var options = new RecoveryOptions { Environment = DummyEnvironment, Grace = TimeSpan.FromMilliseconds(300) };
        var recovery = new RecoveryRunner(DummyCommand("ignore-term 600000"), options, observer);
        WatchedProcess? child = null;
        try
        {
            Assert.True(recovery.TryStart(1, 4242));
            var started = observer.Single();
            child = WatchedProcess.Of(started.Process!.Pid);
            await started.WaitForLineAsync(l => l == "ready");

            // Act
            await recovery.DisposeAsync().AsTask().Soon();

            // Assert
            var completion = Assert.Single(recovery.Reap(10));
            Assert.Equal(new Outcome.Signalled(Signal.Kill), completion.Outcome);
            Assert.False(child.Value.IsAlive);
        }
        finally
        {
            await recovery.DisposeAsync();
            child?.Kill();
        }
    }

    [Fact]
    public void Options_refuse_values_that_cannot_work()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecoveryOptions { Timeout = TimeSpan.Zero });
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecoveryOptions { CaptureBytes = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecoveryOptions { Grace = TimeSpan.FromSeconds(-1) });
        Assert.Throws<ArgumentException>(() => new RecoveryRunner(Quick(), new RecoveryOptions { Environment = ImmutableDictionary<string, string>.Empty.Add("A=B", "x") }));

        var defaults = new RecoveryOptions();
        Assert.Equal((TimeSpan.FromSeconds(30), 64 * 1024L, TimeSpan.FromSeconds(5), false), (defaults.Timeout, defaults.CaptureBytes, defaults.Grace, defaults.InheritEnvironment));
        Assert.Empty(defaults.Environment);
    }

    private static RecoveryCommand DummyCommand(string arguments) => RecoveryCommand.Parse($"'{Dummy.Path}' {arguments}");

    private static RecoveryCommand Quick() => RecoveryCommand.Parse("/bin/sh -c 'exit 0' recover {pid}");

    private static async Task<RecoveryCompletion> ReapOneAsync(RecoveryRunner recovery)
    {
        IReadOnlyList<RecoveryCompletion> reaped = [];
        Assert.True(await Bounds.EventuallyAsync(() => (reaped = recovery.Reap(1)).Count == 1), "no recovery finished");
        return reaped[0];
    }

    private static async Task<RecoveryCompletion> AdvanceUntilReapedAsync(FakeTimeProvider clock, RecoveryRunner recovery)
    {
        var deadline = DateTime.UtcNow + Bounds.Eventually;
        while (DateTime.UtcNow < deadline)
        {
            if (recovery.Reap(1) is [var completion])
            {
                return completion;
            }

            clock.Advance(Step);
            await Task.Delay(20);
        }

        throw new TimeoutException($"No recovery finished although the virtual clock advanced to {clock.Elapsed()}.");
    }

    /// <summary>A runner that lets a spec see what the recovery runner started: the command, the process and its stdout lines.</summary>
    private sealed class ObservingRunner(IProcessRunner inner) : IProcessRunner
    {
        private readonly ConcurrentQueue<Observed> _started = new();

        public Observed Single() => Assert.Single(_started);

        public async Task<RunningProcess> StartAsync(Pipeline pipeline, CancellationToken cancellationToken = default)
        {
            var observed = new Observed(pipeline.Last);
            _started.Enqueue(observed);
            var process = await inner.StartAsync(pipeline.Last.WithStdoutLineHandler(observed.Add), cancellationToken);
            observed.Process = process;
            return process;
        }

        public Task<ProcessResult<byte[]>> OutputBytesAsync(Pipeline pipeline, CancellationToken cancellationToken = default) =>
            inner.OutputBytesAsync(pipeline, cancellationToken);
    }

    private sealed class Observed(Command command)
    {
        private readonly ConcurrentQueue<string> _lines = new();
        private readonly List<(Func<string, bool> Predicate, TaskCompletionSource<string> Found)> _waiters = [];

        public Command Command { get; } = command;

        public RunningProcess? Process { get; set; }

        public IReadOnlyList<string> Lines => [.. _lines];

        public void Add(string line)
        {
            lock (_waiters)
            {
                _lines.Enqueue(line);
                foreach (var (predicate, found) in _waiters.Where(w => w.Predicate(line)))
                {
                    found.TrySetResult(line);
                }
            }
        }

        public Task<string> WaitForLineAsync(Func<string, bool> predicate)
        {
            var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_waiters)
            {
                if (_lines.FirstOrDefault(predicate) is { } line)
                {
                    return Task.FromResult(line);
                }

                _waiters.Add((predicate, found));
            }

            return found.Task.Soon();
        }
    }
}
