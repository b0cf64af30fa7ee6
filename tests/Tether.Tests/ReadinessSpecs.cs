namespace Tether.Tests;

public sealed class ReadinessSpecs
{
    [Fact]
    public async Task I_can_wait_for_the_line_that_says_a_program_is_ready()
    {
        // Arrange
        await using var process = await ProcessRunner.Default.StartAsync(
            Shell.Command("echo starting; sleep 0.3; echo 'listening on port 8080'; exec sleep 600"));

        // Act
        var line = await process.WaitForLineAsync(l => l.StartsWith("listening", StringComparison.Ordinal), Bounds.Eventually);

        // Assert
        Assert.Equal("listening on port 8080", line);
        Assert.False(process.HasExited);
    }

    [Fact]
    public async Task A_line_that_already_appeared_is_found_without_waiting()
    {
        // Arrange
        await using var process = await ProcessRunner.Default.StartAsync(Shell.Command("echo ready; exec sleep 600"));
        await process.WaitForLineAsync(l => l == "ready", Bounds.Eventually);

        // Act
        var again = await process.WaitForLineAsync(l => l == "ready", TimeSpan.Zero);

        // Assert
        Assert.Equal("ready", again);
    }

    [Fact]
    public async Task I_can_wait_for_a_line_on_stderr()
    {
        await using var process = await ProcessRunner.Default.StartAsync(Shell.Command("echo 'server up' >&2; exec sleep 600"));

        var line = await process.WaitForLineAsync(l => l == "server up", Bounds.Eventually, OutputStreams.Stderr);

        Assert.Equal("server up", line);
    }

    [Fact]
    public async Task A_missed_deadline_throws_NotReadyException_and_leaves_the_program_running()
    {
        // Arrange
        var clock = VirtualClock.Create();
        await using var process = await new ProcessRunner(clock).StartAsync(Shell.Command("echo warming up; exec sleep 600"));
        await process.WaitForLineAsync(l => l == "warming up", TimeSpan.FromDays(1)).Soon();

        // Act
        var waiting = process.WaitForLineAsync(l => l == "ready", TimeSpan.FromSeconds(5));
        var error = await Assert.ThrowsAsync<NotReadyException>(() => clock.AdvanceUntilAsync(waiting, TimeSpan.FromSeconds(1)));

        // Assert
        Assert.Contains("still running", error.Message, StringComparison.Ordinal);
        Assert.False(process.HasExited);
        Assert.True(ProcessTable.IsAlive(process.Pid));
    }

    [Fact]
    public async Task A_line_on_the_other_stream_does_not_count()
    {
        // Arrange
        var clock = VirtualClock.Create();
        await using var process = await new ProcessRunner(clock).StartAsync(Shell.Command("echo ready >&2; exec sleep 600"));
        await process.WaitForLineAsync(l => l == "ready", TimeSpan.FromDays(1), OutputStreams.Stderr).Soon();

        // Act
        var waiting = process.WaitForLineAsync(l => l == "ready", TimeSpan.FromSeconds(5), OutputStreams.Stdout);

        // Assert
        await Assert.ThrowsAsync<NotReadyException>(() => clock.AdvanceUntilAsync(waiting, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task A_program_that_ends_without_the_line_is_not_ready_and_says_how_it_ended()
    {
        // Arrange: on a clock that never moves, only the end of the run can end the wait.
        var clock = VirtualClock.Create();
        await using var process = await new ProcessRunner(clock).StartAsync(Shell.Command("echo bye; exit 3"));

        // Act
        var error = await Assert.ThrowsAsync<NotReadyException>(() => process.WaitForLineAsync(l => l == "ready", TimeSpan.FromDays(1)).Soon());

        // Assert
        Assert.Contains("exited with code 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task I_can_stop_waiting_for_a_line_with_a_token_and_the_program_keeps_running()
    {
        // Arrange
        var clock = VirtualClock.Create();
        await using var process = await new ProcessRunner(clock).StartAsync(Shell.Command("exec sleep 600"));
        using var giveUp = new CancellationTokenSource();
        var waiting = process.WaitForLineAsync(l => l == "ready", TimeSpan.FromDays(1), cancellationToken: giveUp.Token);

        // Act
        await giveUp.CancelAsync();

        // Assert
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.Soon());
        Assert.False(process.HasExited);
    }
}
