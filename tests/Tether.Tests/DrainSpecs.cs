using System.Globalization;

namespace Tether.Tests;

/// <summary>Runs that could hang or deadlock on their pipes, and do not.</summary>
public sealed class DrainSpecs
{
    [Fact]
    public async Task A_program_that_floods_stderr_before_writing_stdout_does_not_deadlock()
    {
        var result = await ProcessRunner.Default.OutputStringAsync(Dummy.Command("flood-stderr", "4000000", "then-stdout", "done")).Soon();

        Assert.Equal("done\n", result.Stdout);
        Assert.Equal(4_000_000, result.Stderr.Length);
    }

    [Theory]
    [InlineData(ContainmentMode.Auto)]
    [InlineData(ContainmentMode.ProcessGroup)]
    public async Task A_grandchild_that_keeps_stdout_open_does_not_hang_the_run_and_is_killed(ContainmentMode mode)
    {
        // Arrange
        using var leftovers = new Leftovers();
        var command = Dummy.Command("grandchild", "--hold-stdout").WithContainment(mode);

        // Act
        var result = await ProcessRunner.Default.OutputStringAsync(command).Soon();

        // Assert
        Assert.Equal(new Outcome.Exited(0), result.Outcome);
        Assert.StartsWith("grandchild ", result.Stdout, StringComparison.Ordinal);
        var grandchild = leftovers.TrackIfAlive(int.Parse(result.Stdout.Trim()["grandchild ".Length..], CultureInfo.InvariantCulture));
        Assert.Empty(await ProcessTable.WaitUntilGoneAsync(grandchild is { } g ? [g] : []));
    }

    [Fact]
    public async Task Output_a_descendant_writes_shortly_after_the_program_exited_is_kept()
    {
        // Arrange: the shell exits at once; its background child writes a moment later, well within the drain.
        var command = Shell.Command("(sleep 0.3; echo late) & echo early").WithDrainTimeout(Bounds.Eventually);

        // Act
        var result = await ProcessRunner.Default.OutputStringAsync(command).Soon();

        // Assert
        Assert.Equal("early\nlate\n", result.Stdout);
    }

    [Fact]
    public async Task A_drain_that_ends_early_leaves_no_timer_behind()
    {
        // Arrange: the program exits before its descendant's output is in, so the run waits on the drain's timer.
        var clock = new TimerCountingClock();
        var command = Shell.Command("(sleep 0.3; echo late) & echo early").WithDrainTimeout(TimeSpan.FromMinutes(10));

        // Act
        var result = await new ProcessRunner(clock).OutputStringAsync(command).Soon();

        // Assert: the result came with the output, not with the timer, and the timer goes with the wait (just after the
        // result, not ten minutes later): a host that starts thousands of runs must not keep a timer per run.
        Assert.Equal("early\nlate\n", result.Stdout);
        Assert.True(clock.Created > 0, "the drain did not wait on a timer; the spec no longer exercises it");
        Assert.True(await Bounds.EventuallyAsync(() => clock.Live == 0), $"{clock.Live} of the run's {clock.Created} timers are still set");
    }

    /// <summary>The system clock, counting the timers created through it that are not disposed yet.</summary>
    private sealed class TimerCountingClock : TimeProvider
    {
        private int _live;
        private int _created;

        public int Live => Volatile.Read(ref _live);

        public int Created => Volatile.Read(ref _created);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Interlocked.Increment(ref _created);
            Interlocked.Increment(ref _live);
            return new CountedTimer(System.CreateTimer(callback, state, dueTime, period), this);
        }

        private sealed class CountedTimer(ITimer inner, TimerCountingClock owner) : ITimer
        {
            private int _disposed;

            public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(dueTime, period);

            public void Dispose()
            {
                if (Interlocked.Exchange(ref _disposed, 1) == 0)
                {
                    Interlocked.Decrement(ref owner._live);
                }

                inner.Dispose();
            }

            public ValueTask DisposeAsync()
            {
                Dispose();
                return ValueTask.CompletedTask;
            }
        }
    }

    [Fact]
    public async Task The_drain_is_bounded_by_its_own_timeout()
    {
        // Arrange: a grandchild holds stdout forever; on a virtual clock only the drain timeout can end the run.
        using var leftovers = new Leftovers();
        var clock = VirtualClock.Create();
        await using var process = await new ProcessRunner(clock).StartAsync(Dummy.Command("grandchild", "--hold-stdout").WithDrainTimeout(TimeSpan.FromSeconds(5)));
        var line = await process.WaitForLineAsync(l => l.StartsWith("grandchild ", StringComparison.Ordinal), TimeSpan.FromDays(1)).Soon();
        leftovers.TrackIfAlive(int.Parse(line["grandchild ".Length..], CultureInfo.InvariantCulture));

        // Act
        var result = await clock.AdvanceUntilAsync(process.WaitAsync(), TimeSpan.FromSeconds(1));

        // Assert
        Assert.Equal(new Outcome.Exited(0), result.Outcome);
        Assert.True(result.Duration >= TimeSpan.FromSeconds(5), $"ended after {result.Duration}");
    }
}
