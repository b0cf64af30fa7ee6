namespace Tether.Tests;

/// <summary>
/// Durations longer than a timer can wait (<see cref="Durations.LongestWait"/>, about 49.7 days): every <c>With…</c>
/// that arms a timer refuses them with a message that names the limit, instead of a run that crashes inside
/// <c>Timer</c>; the longest accepted ones run.
/// </summary>
public sealed class LongDurationSpecs
{
    private static readonly TimeSpan JustTooLong = Durations.LongestWait + TimeSpan.FromMilliseconds(1);

    public static TheoryData<string, TimeSpan> TooLong() => new()
    {
        { "timeout", TimeSpan.FromHours(1200) },
        { "timeout", TimeSpan.MaxValue },
        { "timeout", JustTooLong },
        { "idle", TimeSpan.FromHours(1200) },
        { "idle", TimeSpan.MaxValue },
        { "grace", TimeSpan.FromHours(1200) },
        { "grace", TimeSpan.MaxValue },
        { "drain", TimeSpan.FromHours(1200) },
        { "drain", TimeSpan.MaxValue },
    };

    [Theory]
    [MemberData(nameof(TooLong))]
    public void A_duration_longer_than_a_timer_can_wait_is_refused_with_the_limit_in_the_message(string what, TimeSpan duration)
    {
        var command = new Command("/bin/true");

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => what switch
        {
            "timeout" => command.WithTimeout(duration),
            "idle" => command.WithIdleTimeout(duration),
            "grace" => command.WithGrace(duration),
            _ => command.WithDrainTimeout(duration),
        });

        Assert.Contains("at most 1193h2m47.294s", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pipeline_refuses_a_too_long_timeout_and_grace_the_way_a_command_does()
    {
        var pipeline = new Command("/bin/true") | new Command("/bin/cat");

        Assert.Throws<ArgumentOutOfRangeException>(() => pipeline.WithTimeout(TimeSpan.FromHours(1200)));
        Assert.Throws<ArgumentOutOfRangeException>(() => pipeline.WithGrace(TimeSpan.MaxValue));
    }

    [Fact]
    public void An_infinite_timeout_is_refused_with_the_way_to_say_none()
    {
        var command = new Command("/bin/true");

        var timeout = Assert.Throws<ArgumentOutOfRangeException>(() => command.WithTimeout(Timeout.InfiniteTimeSpan));
        var idle = Assert.Throws<ArgumentOutOfRangeException>(() => command.WithIdleTimeout(Timeout.InfiniteTimeSpan));

        Assert.Contains("pass null for no timeout", timeout.Message, StringComparison.Ordinal);
        Assert.Contains("pass null for no timeout", idle.Message, StringComparison.Ordinal);
        Assert.Null(command.WithTimeout(null).Timeout);
    }

    [Fact]
    public async Task The_longest_accepted_durations_run_on_the_real_clock()
    {
        var command = new Command("/bin/true")
            .WithTimeout(Durations.LongestWait)
            .WithIdleTimeout(Durations.LongestWait)
            .WithGrace(Durations.LongestWait)
            .WithDrainTimeout(Durations.LongestWait);

        var result = await ProcessRunner.Default.OutputStringAsync(command).Soon();

        Assert.True(result.IsSuccess);
        Assert.Equal(Durations.LongestWait, result.Timeout);
    }

    [Fact]
    public async Task StopAsync_refuses_a_grace_longer_than_a_timer_can_wait_and_takes_the_longest()
    {
        await using var process = await ProcessRunner.Default.StartAsync(Shell.Command("echo ready; exec sleep 600"));
        await process.WaitForLineAsync(l => l == "ready", Bounds.Eventually);

        // Refused at the call, before any signal: the run goes on until the valid request below.
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = process.StopAsync(TimeSpan.FromHours(1200)); });
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = process.StopAsync(TimeSpan.MaxValue); });
        Assert.False(process.HasExited);
        var result = await process.StopAsync(Durations.LongestWait).Soon();

        Assert.Equal(new Outcome.Signalled(Signal.Terminate), result.Outcome);
    }

    [Fact]
    public async Task WaitForLineAsync_refuses_a_timeout_longer_than_a_timer_can_wait()
    {
        await using var process = await ProcessRunner.Default.StartAsync(Shell.Command("echo ready; exec sleep 600"));

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => process.WaitForLineAsync(l => l == "ready", TimeSpan.MaxValue));
        Assert.Equal("ready", await process.WaitForLineAsync(l => l == "ready", Durations.LongestWait).Soon());
    }
}
