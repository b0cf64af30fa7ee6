namespace Tether.Tests;

/// <summary>Timeouts, on a virtual clock: nothing here depends on how fast the machine is.</summary>
public sealed class TimeoutSpecs
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task A_run_that_times_out_reports_TimedOut_and_keeps_the_output_written_before()
    {
        // Arrange
        var clock = VirtualClock.Create();
        var command = Shell.Command("echo before; echo also-before >&2; exec sleep 600").WithTimeout(TimeSpan.FromSeconds(5));
        await using var process = await new ProcessRunner(clock).StartAsync(command);
        await process.WaitForLineAsync(l => l == "also-before", TimeSpan.FromDays(1)).Soon();
        await process.WaitForLineAsync(l => l == "before", TimeSpan.FromDays(1)).Soon();

        // Act
        var result = await clock.AdvanceUntilAsync(process.WaitAsync(), Step);

        // Assert
        Assert.Equal(new Outcome.TimedOut(TimeoutKind.Overall, TimeSpan.FromSeconds(5)), result.Outcome);
        Assert.Equal("before\n", result.Stdout);
        Assert.Equal("also-before\n", result.Stderr);
        Assert.Null(result.ExitCode);
        Assert.False(result.IsSuccess);
        Assert.Equal(TimeSpan.FromSeconds(5), result.Timeout);
        Assert.Equal(new Outcome.Signalled(Signal.Terminate), result.Stages[0].Outcome);
    }

    [Fact]
    public async Task RunAsync_throws_TimedOutException_carrying_the_partial_output()
    {
        // Arrange
        var clock = VirtualClock.Create();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var command = Shell.Command("echo partial; exec sleep 600")
            .WithTimeout(TimeSpan.FromSeconds(5))
            .WithStdoutLineHandler(_ => started.TrySetResult());
        var run = new ProcessRunner(clock).RunAsync(command);
        await started.Task.Soon();

        // Act
        var error = await Assert.ThrowsAsync<TimedOutException>(() => clock.AdvanceUntilAsync(run, Step));

        // Assert
        Assert.Equal("partial\n", error.Result.Stdout);
        Assert.IsType<Outcome.TimedOut>(error.Result.Outcome);
        Assert.Contains("timed out after 5s", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_program_that_ignores_the_stop_signal_is_killed_once_the_grace_period_is_over()
    {
        // Arrange
        var clock = VirtualClock.Create();
        var command = Dummy.Command("ignore-term", "600000").WithTimeout(TimeSpan.FromSeconds(5)).WithGrace(TimeSpan.FromSeconds(10));
        await using var process = await new ProcessRunner(clock).StartAsync(command);
        await process.WaitForLineAsync(l => l == "ready", TimeSpan.FromDays(1)).Soon();

        // Act
        var result = await clock.AdvanceUntilAsync(process.WaitAsync(), Step);

        // Assert
        Assert.Equal(new Outcome.TimedOut(TimeoutKind.Overall, TimeSpan.FromSeconds(5)), result.Outcome);
        Assert.Equal(new Outcome.Signalled(Signal.Kill), result.Stages[0].Outcome);
        Assert.True(result.Duration >= TimeSpan.FromSeconds(15), $"killed after {result.Duration}, before timeout + grace");
    }

    [Fact]
    public async Task A_program_that_honours_the_stop_signal_does_not_wait_out_the_grace_period()
    {
        // Arrange
        var clock = VirtualClock.Create();
        var command = Shell.Command("echo started; exec sleep 600").WithTimeout(TimeSpan.FromSeconds(5)).WithGrace(TimeSpan.FromHours(1));
        await using var process = await new ProcessRunner(clock).StartAsync(command);
        await process.WaitForLineAsync(l => l == "started", TimeSpan.FromDays(1)).Soon();

        // Act
        var result = await clock.AdvanceUntilAsync(process.WaitAsync(), Step);

        // Assert
        Assert.IsType<Outcome.TimedOut>(result.Outcome);
        Assert.Equal(new Outcome.Signalled(Signal.Terminate), result.Stages[0].Outcome);
        Assert.True(result.Duration < TimeSpan.FromHours(1), $"ended after {result.Duration}");
    }

    [Fact]
    public async Task The_stop_signal_can_be_chosen()
    {
        // Arrange
        var clock = VirtualClock.Create();
        var command = Shell.Command("echo started; exec sleep 600").WithTimeout(TimeSpan.FromSeconds(5)).WithStopSignal(Signal.Interrupt);
        await using var process = await new ProcessRunner(clock).StartAsync(command);
        await process.WaitForLineAsync(l => l == "started", TimeSpan.FromDays(1)).Soon();

        // Act
        var result = await clock.AdvanceUntilAsync(process.WaitAsync(), Step);

        // Assert
        Assert.Equal(new Outcome.Signalled(Signal.Interrupt), result.Stages[0].Outcome);
    }

    [Fact]
    public async Task A_timeout_works_on_the_real_clock_too()
    {
        var result = await ProcessRunner.Default.OutputStringAsync(Shell.Command("exec sleep 600").WithTimeout(TimeSpan.FromMilliseconds(300))).Soon();

        Assert.Equal(new Outcome.TimedOut(TimeoutKind.Overall, TimeSpan.FromMilliseconds(300)), result.Outcome);
    }

    [Fact]
    public async Task A_run_that_ends_in_time_is_not_touched_by_its_timeout()
    {
        var clock = VirtualClock.Create();

        var result = await new ProcessRunner(clock).OutputStringAsync(Shell.Command("echo done").WithTimeout(TimeSpan.FromSeconds(5))).Soon();

        Assert.Equal(new Outcome.Exited(0), result.Outcome);
        Assert.Equal("done\n", result.Stdout);
    }

    [Fact]
    public void A_timeout_must_be_positive()
    {
        var command = new Command("true");

        Assert.Throws<ArgumentOutOfRangeException>(() => command.WithTimeout(TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => command.WithTimeout(TimeSpan.FromSeconds(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => command.WithIdleTimeout(TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => command.WithGrace(TimeSpan.FromSeconds(-1)));
        Assert.Null(command.WithTimeout(TimeSpan.FromSeconds(1)).WithTimeout(null).Timeout);
    }
}
