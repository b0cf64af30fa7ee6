namespace Tether.Tests;

public sealed class RetrySpecs
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(250);

    [Fact]
    public async Task A_timed_out_run_is_retried_with_exact_seeded_backoff_delays()
    {
        // Arrange
        var clock = VirtualClock.Create();
        var backoff = new Backoff { InitialDelay = TimeSpan.FromSeconds(1), Multiplier = 2, MaxDelay = TimeSpan.FromSeconds(3), Jitter = 0.5, Seed = 42 };
        var command = Shell.Command("exec sleep 600").WithTimeout(TimeSpan.FromSeconds(2)).WithGrace(TimeSpan.Zero).WithRetry(4, backoff);

        // Act
        var result = await clock.AdvanceUntilAsync(new ProcessRunner(clock).OutputStringAsync(command), Step);

        // Assert: the same seed gives the same jitter: d × (1 − 0.5 × r), with d = 1 s, 2 s, 3 s (capped).
        var random = new Random(42);
        TimeSpan[] expected = [TimeSpan.Zero, .. new[] { 1.0, 2.0, 3.0 }.Select(d => TimeSpan.FromTicks((long)(TimeSpan.FromSeconds(d).Ticks * (1 - (0.5 * random.NextDouble())))))];
        Assert.IsType<Outcome.TimedOut>(result.Outcome);
        Assert.Equal([1, 2, 3, 4], result.Attempts.Select(a => a.Number));
        Assert.Equal(expected, result.Attempts.Select(a => a.DelayBefore));
        Assert.All(result.Attempts, a => Assert.IsType<Outcome.TimedOut>(a.Outcome));
        Assert.All(result.Attempts.Skip(1), a => Assert.InRange(a.DelayBefore, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(3)));
    }

    [Fact]
    public async Task A_plain_non_zero_exit_is_not_retried_unless_asked()
    {
        // Arrange
        using var counter = new AttemptCounter();
        var command = counter.Command("exit 3").WithRetry(3, Backoff.Constant(TimeSpan.Zero));

        // Act
        var result = await ProcessRunner.Default.OutputStringAsync(command).Soon();

        // Assert
        Assert.Equal(3, result.ExitCode);
        Assert.Single(result.Attempts);
        Assert.Equal(1, counter.Runs);
    }

    [Fact]
    public async Task A_non_zero_exit_is_retried_when_the_classifier_says_so_and_the_checking_verb_sees_the_last_attempt()
    {
        // Arrange
        using var counter = new AttemptCounter();
        var command = counter.Command("exit 3").WithRetry(3, Backoff.Constant(TimeSpan.Zero), RetryOn.NonZeroExit);

        // Act
        var error = await Assert.ThrowsAsync<NonZeroExitException>(() => ProcessRunner.Default.RunAsync(command));

        // Assert
        Assert.Equal(3, counter.Runs);
        Assert.Equal([1, 2, 3], error.Result.Attempts.Select(a => a.Number));
        Assert.All(error.Result.Attempts, a => Assert.Equal(new Outcome.Exited(3), a.Outcome));
    }

    [Fact]
    public async Task A_predicate_can_retry_a_chosen_exit_and_a_success_ends_the_retries()
    {
        // Arrange: exit 75 (EX_TEMPFAIL) on the first two runs, then success.
        using var counter = new AttemptCounter();
        var policy = new RetryPolicy(5) { Backoff = Backoff.Constant(TimeSpan.Zero), RetryOn = RetryOn.None, ShouldRetry = a => a.Outcome == new Outcome.Exited(75) };
        var command = counter.Command("[ $(wc -l < \"$0\") -ge 3 ] || exit 75; echo done").WithRetry(policy);

        // Act
        var output = await ProcessRunner.Default.RunAsync(command).Soon();

        // Assert
        Assert.Equal("done", output);
        Assert.Equal(3, counter.Runs);
    }

    [Fact]
    public async Task A_missing_program_is_never_retried()
    {
        var command = new Command("/nonexistent/tether-retry-spec").WithRetry(5, Backoff.Constant(TimeSpan.Zero), RetryOn.Default | RetryOn.NonZeroExit);

        await Assert.ThrowsAsync<ProgramNotFoundException>(() => ProcessRunner.Default.RunAsync(command));
    }

    [Fact]
    public async Task Cancelling_in_the_middle_of_a_backoff_throws_at_once_and_runs_no_further_attempt()
    {
        // Arrange: a one-hour backoff on a clock that never moves by itself.
        var clock = VirtualClock.Create();
        using var counter = new AttemptCounter();
        var classified = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var policy = new RetryPolicy(5)
        {
            Backoff = Backoff.Constant(TimeSpan.FromHours(1)),
            RetryOn = RetryOn.None,
            ShouldRetry = _ =>
            {
                classified.TrySetResult();
                return true;
            },
        };
        using var cancellation = new CancellationTokenSource();
        var running = new ProcessRunner(clock).OutputStringAsync(counter.Command("exit 1").WithRetry(policy), cancellation.Token);
        await classified.Task.Soon();

        // Act
        await cancellation.CancelAsync();

        // Assert
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.Soon());
        clock.Advance(TimeSpan.FromHours(3));
        await Task.Delay(200);
        Assert.Equal(1, counter.Runs);
    }

    [Fact]
    public async Task The_commands_own_token_also_stops_the_retries()
    {
        var clock = VirtualClock.Create();
        using var counter = new AttemptCounter();
        using var cancellation = new CancellationTokenSource();
        var command = counter.Command("exit 1")
            .WithRetry(5, Backoff.Constant(TimeSpan.FromHours(1)), RetryOn.NonZeroExit)
            .WithCancellation(cancellation.Token);
        var running = new ProcessRunner(clock).OutputStringAsync(command);
        Assert.True(await Bounds.EventuallyAsync(() => counter.Runs == 1));

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.Soon());
        Assert.Equal(1, counter.Runs);
    }

    [Fact]
    public void A_policy_refuses_nonsense()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Command("x").WithRetry(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Backoff { Jitter = 1.5 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new Backoff { Multiplier = 0.5 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new Backoff { InitialDelay = TimeSpan.FromSeconds(-1) });
    }

    /// <summary>A shell command that appends a line to a temp file each time it runs, so a spec can count the runs.</summary>
    private sealed class AttemptCounter : IDisposable
    {
        private readonly string _path = Path.Combine(Path.GetTempPath(), $"tether-retry-{Guid.NewGuid():N}");

        public int Runs => File.Exists(_path) ? File.ReadAllLines(_path).Length : 0;

        /// <summary><c>sh -c 'echo run >> FILE; SCRIPT' FILE</c>: the script sees the file as <c>$0</c>.</summary>
        public Command Command(string script) => new Command("/bin/sh").WithArguments("-c", "echo run >> \"$0\"; " + script, _path);

        public void Dispose() => File.Delete(_path);
    }
}
