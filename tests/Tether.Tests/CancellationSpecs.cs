using System.Globalization;

namespace Tether.Tests;

public sealed class CancellationSpecs
{
    [Fact]
    public async Task Cancelling_a_run_throws_OperationCanceledException_and_stops_the_tree()
    {
        // Arrange
        using var cancellation = new CancellationTokenSource();
        var pid = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var command = Shell.Command("echo $$; exec sleep 600").WithStdoutLineHandler(line => pid.TrySetResult(int.Parse(line, CultureInfo.InvariantCulture)));
        var run = ProcessRunner.Default.OutputStringAsync(command, cancellation.Token);
        var program = TrackedProcess.Of(await pid.Task.Soon());

        // Act
        await cancellation.CancelAsync();

        // Assert
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.Soon());
        Assert.Empty(await ProcessTable.WaitUntilGoneAsync([program]));
    }

    [Fact]
    public async Task Cancelling_the_token_of_a_command_stops_a_started_process_and_its_wait_throws()
    {
        // Arrange
        using var cancellation = new CancellationTokenSource();
        await using var process = await ProcessRunner.Default.StartAsync(Shell.Command("echo ready; exec sleep 600").WithCancellation(cancellation.Token));
        await process.WaitForLineAsync(l => l == "ready", Bounds.Eventually);

        // Act
        await cancellation.CancelAsync();

        // Assert
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => process.WaitAsync().Soon());
        Assert.True(process.HasExited);
    }

    [Fact]
    public async Task Cancellation_wins_over_a_timeout_that_already_fired()
    {
        // Arrange: the timeout fires first and waits out a long grace period for a program that ignores SIGTERM.
        var clock = VirtualClock.Create();
        using var cancellation = new CancellationTokenSource();
        var command = Dummy.Command("ignore-term", "600000")
            .WithTimeout(TimeSpan.FromSeconds(5))
            .WithGrace(TimeSpan.FromMinutes(10))
            .WithCancellation(cancellation.Token);
        await using var process = await new ProcessRunner(clock).StartAsync(command);
        await process.WaitForLineAsync(l => l == "ready", TimeSpan.FromDays(1)).Soon();
        clock.Advance(TimeSpan.FromSeconds(6));

        // Act
        await cancellation.CancelAsync();

        // Assert
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => clock.AdvanceUntilAsync(process.WaitAsync(), TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task A_token_cancelled_before_the_start_throws_at_once()
    {
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ProcessRunner.Default.OutputStringAsync(Shell.Command("exit 0"), cancellation.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ProcessRunner.Default.StartAsync(Shell.Command("exit 0"), cancellation.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => ProcessRunner.Default.OutputStringAsync(Shell.Command("exit 0").WithCancellation(cancellation.Token)));
    }

    [Fact]
    public async Task Giving_up_waiting_does_not_stop_the_program()
    {
        // Arrange
        await using var process = await ProcessRunner.Default.StartAsync(Shell.Command("exec sleep 600"));
        using var impatience = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        // Act
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => process.WaitAsync(impatience.Token));

        // Assert
        Assert.False(process.HasExited);
        Assert.True(ProcessTable.IsAlive(process.Pid));
    }
}
