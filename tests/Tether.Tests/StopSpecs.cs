namespace Tether.Tests;

public sealed class StopSpecs
{
    [Fact]
    public async Task StopAsync_asks_with_SIGTERM_first()
    {
        // Arrange
        await using var process = await ProcessRunner.Default.StartAsync(Shell.Command("echo ready; exec sleep 600"));
        await process.WaitForLineAsync(l => l == "ready", Bounds.Eventually);

        // Act
        var result = await process.StopAsync().Soon();

        // Assert
        Assert.Equal(new Outcome.Signalled(Signal.Terminate), result.Outcome);
        Assert.Equal("ready\n", result.Stdout);
        Assert.True(process.HasExited);
    }

    [Fact]
    public async Task StopAsync_kills_a_program_that_ignores_SIGTERM_once_the_grace_period_is_over()
    {
        // Arrange
        var clock = VirtualClock.Create();
        await using var process = await new ProcessRunner(clock).StartAsync(Dummy.Command("ignore-term", "600000"));
        await process.WaitForLineAsync(l => l == "ready", TimeSpan.FromDays(1)).Soon();
        var program = TrackedProcess.Of(process.Pid);

        // Act
        var stopping = process.StopAsync(TimeSpan.FromSeconds(10));
        var result = await clock.AdvanceUntilAsync(stopping, TimeSpan.FromSeconds(1));

        // Assert
        Assert.Equal(new Outcome.Signalled(Signal.Kill), result.Outcome);
        Assert.Equal("ready\n", result.Stdout);
        Assert.True(result.Duration >= TimeSpan.FromSeconds(10), $"killed after {result.Duration}, within the grace period");
        Assert.False(program.IsAlive);
    }

    [Fact]
    public async Task I_can_choose_the_stop_signal()
    {
        // Arrange
        await using var process = await ProcessRunner.Default.StartAsync(Shell.Command("echo ready; exec sleep 600").WithStopSignal(Signal.Interrupt));
        await process.WaitForLineAsync(l => l == "ready", Bounds.Eventually);

        // Act
        var result = await process.StopAsync().Soon();

        // Assert
        Assert.Equal(new Outcome.Signalled(Signal.Interrupt), result.Outcome);
    }

    [Fact]
    public async Task StopAsync_after_the_program_ended_reports_how_it_really_ended()
    {
        // Arrange
        await using var process = await ProcessRunner.Default.StartAsync(Shell.Command("exit 3"));
        await process.WaitAsync().Soon();

        // Act
        var result = await process.StopAsync().Soon();

        // Assert
        Assert.Equal(new Outcome.Exited(3), result.Outcome);
    }

    [Fact]
    public async Task Disposing_a_running_process_kills_it()
    {
        // Arrange
        var process = await ProcessRunner.Default.StartAsync(Shell.Command("echo ready; exec sleep 600"));
        await process.WaitForLineAsync(l => l == "ready", Bounds.Eventually);
        var program = TrackedProcess.Of(process.Pid);

        // Act
        await process.DisposeAsync().AsTask().Soon();

        // Assert
        Assert.True(process.HasExited);
        Assert.False(program.IsAlive);
    }

    [Fact]
    public async Task Disposing_during_the_grace_period_kills_at_once()
    {
        // Arrange: a program that ignores SIGTERM, stopped with a grace period that never ends on a clock that never moves.
        var clock = VirtualClock.Create();
        var process = await new ProcessRunner(clock).StartAsync(Dummy.Command("ignore-term", "600000"));
        await process.WaitForLineAsync(l => l == "ready", TimeSpan.FromDays(1)).Soon();
        var program = TrackedProcess.Of(process.Pid);
        var stopping = process.StopAsync(TimeSpan.FromDays(1));

        // Act
        await process.DisposeAsync().AsTask().Soon();

        // Assert
        Assert.False(program.IsAlive);
        Assert.Equal(new Outcome.Signalled(Signal.Kill), (await stopping.Soon()).Outcome);
    }

    [Fact]
    public async Task Disposing_twice_is_harmless()
    {
        var process = await ProcessRunner.Default.StartAsync(Shell.Command("exec sleep 600"));

        await process.DisposeAsync();
        await process.DisposeAsync();

        Assert.True(process.HasExited);
    }
}
