namespace Tether.Tests;

/// <summary>The idle timeout, on a virtual clock: the specs decide exactly when output happens and when time passes.</summary>
public sealed class IdleTimeoutSpecs
{
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_program_silent_for_longer_than_the_idle_timeout_is_stopped()
    {
        // Arrange
        var clock = VirtualClock.Create();
        await using var process = await new ProcessRunner(clock).StartAsync(Shell.Command("echo hello; exec sleep 600").WithIdleTimeout(Idle));
        await process.WaitForLineAsync(l => l == "hello", TimeSpan.FromDays(1)).Soon();

        // Act
        var result = await clock.AdvanceUntilAsync(process.WaitAsync(), TimeSpan.FromSeconds(1));

        // Assert
        Assert.Equal(new Outcome.TimedOut(TimeoutKind.Idle, Idle), result.Outcome);
        Assert.Equal("hello\n", result.Stdout);
        Assert.True(result.Duration >= Idle, $"stopped after {result.Duration}");
    }

    [Fact]
    public async Task Every_output_restarts_the_idle_timeout()
    {
        // Arrange: cat answers each line we write, so output happens exactly when we decide.
        var clock = VirtualClock.Create();
        await using var process = await new ProcessRunner(clock).StartAsync(
            new Command("cat").WithStdin(StandardInput.Interactive).WithIdleTimeout(Idle));
        await using var lines = process.StdoutLines().GetAsyncEnumerator();

        // Act: five times, output, then 6 s of silence: 30 s in all, but never 10 s without output.
        for (var i = 1; i <= 5; i++)
        {
            await process.WriteStdinLineAsync($"tick {i}");
            Assert.True(await lines.MoveNextAsync().AsTask().Soon());
            clock.Advance(TimeSpan.FromSeconds(6));
        }

        await process.CloseStdinAsync();
        var result = await process.WaitAsync().Soon();

        // Assert
        Assert.Equal(new Outcome.Exited(0), result.Outcome);
        Assert.True(clock.Elapsed() >= TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task RunAsync_throws_TimedOutException_for_an_idle_timeout()
    {
        // Arrange
        var clock = VirtualClock.Create();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var command = Shell.Command("echo hello; exec sleep 600").WithIdleTimeout(Idle).WithStdoutLineHandler(_ => started.TrySetResult());
        var run = new ProcessRunner(clock).RunAsync(command);
        await started.Task.Soon();

        // Act
        var error = await Assert.ThrowsAsync<TimedOutException>(() => clock.AdvanceUntilAsync(run, TimeSpan.FromSeconds(1)));

        // Assert
        Assert.Equal(new Outcome.TimedOut(TimeoutKind.Idle, Idle), error.Result.Outcome);
        Assert.Contains("without output", error.Message, StringComparison.Ordinal);
    }
}
