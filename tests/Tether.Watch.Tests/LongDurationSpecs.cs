namespace Tether.Watch.Tests;

/// <summary>
/// Durations the watch library arms on a timer (a pump's interval, the watcher's tick, a recovery's timeout and grace)
/// are refused beyond <see cref="Durations.LongestWait"/> when they are given, not when the timer is armed; a stall
/// threshold is only compared, so any positive one is accepted.
/// </summary>
public sealed class LongDurationSpecs : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tether-long-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(1200 * 3600 * 1000.0)]
    [InlineData(4294967295.0)]
    public void A_pump_interval_longer_than_a_timer_can_wait_is_refused_before_any_beat(double milliseconds)
    {
        using var client = HeartbeatClient.ConnectUnix(Path.Combine(_directory, "nobody.sock"));

        Assert.Throws<ArgumentOutOfRangeException>(() => HeartbeatPump.Start(client, TimeSpan.FromMilliseconds(milliseconds)));
        Assert.Throws<ArgumentOutOfRangeException>(() => HeartbeatPump.Start(client, TimeSpan.MaxValue));
        Assert.Equal(0, client.Counters.Total);
    }

    [Fact]
    public void A_recovery_timeout_or_grace_longer_than_a_timer_can_wait_is_refused_with_the_limit()
    {
        var timeout = Assert.Throws<ArgumentOutOfRangeException>(() => new RecoveryOptions { Timeout = TimeSpan.FromHours(1200) });
        var grace = Assert.Throws<ArgumentOutOfRangeException>(() => new RecoveryOptions { Grace = TimeSpan.MaxValue });

        Assert.Contains("1193h2m47.294s", timeout.Message, StringComparison.Ordinal);
        Assert.Contains("1193h2m47.294s", grace.Message, StringComparison.Ordinal);
        Assert.Equal(Durations.LongestWait, new RecoveryOptions { Timeout = Durations.LongestWait, Grace = Durations.LongestWait }.Timeout);
    }

    [Fact]
    public async Task A_tick_interval_longer_than_a_timer_can_wait_is_refused_before_the_socket_is_bound()
    {
        var socket = Path.Combine(_directory, "watch.sock");
        var options = new WatcherOptions { SocketPath = socket, TickInterval = TimeSpan.FromHours(1200) };

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Watcher.StartAsync(options));
        Assert.False(File.Exists(socket));
    }

    [Fact]
    public async Task A_huge_stall_threshold_is_accepted_because_it_is_compared_rather_than_timed()
    {
        var options = new WatcherOptions
        {
            SocketPath = Path.Combine(_directory, "watch.sock"),
            Engine = new WatchOptions { Threshold = TimeSpan.MaxValue },
        };

        await using var watcher = await Watcher.StartAsync(options);

        Assert.False(watcher.Completion.IsCompleted);
    }
}
