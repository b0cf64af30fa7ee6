using Receiver = Tether.Watch.Tests.HeartbeatClientSpecs.Receiver;

namespace Tether.Watch.Tests;

/// <summary>
/// <see cref="HeartbeatPump"/> on a virtual clock: its timer fires inside <see cref="FakeTimeProvider.Advance"/>, on
/// the spec's thread, so each beat is in the watcher's queue when Advance returns.
/// </summary>
public sealed class HeartbeatPumpSpecs : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    private readonly string _directory = Directory.CreateTempSubdirectory("tether-pump-").FullName;
    private readonly FakeTimeProvider _clock = VirtualClock.Create();
    private readonly Receiver _watcher;

    public HeartbeatPumpSpecs()
    {
        _watcher = Receiver.BindUnix(Path.Combine(_directory, "watch.sock"));
    }

    public void Dispose()
    {
        _watcher.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private HeartbeatClient Connect() => HeartbeatClient.ConnectUnix(Path.Combine(_directory, "watch.sock"), _clock);

    [Fact]
    public async Task The_pump_beats_at_once_and_then_every_interval_of_the_clock()
    {
        await using var pump = HeartbeatPump.Start(Connect(), Interval);
        var first = _watcher.Receive();

        _clock.Advance(Interval - TimeSpan.FromMilliseconds(1));
        Assert.True(_watcher.IsEmpty);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        var second = _watcher.Receive();
        // FakeTimeProvider runs every timer due within one Advance at its end time, so each interval is its own step.
        _clock.Advance(Interval);
        _clock.Advance(Interval);
        var more = new[] { _watcher.Receive(), _watcher.Receive() };

        Assert.Equal([1UL, 2UL, 3UL, 4UL], new[] { first, second }.Concat(more).Select(f => f.Nonce));
        Assert.Equal([0UL, 500_000_000UL, 1_000_000_000UL, 1_500_000_000UL], new[] { first, second }.Concat(more).Select(f => f.Timestamp));
        Assert.True(_watcher.IsEmpty);
        Assert.Equal(4, pump.Client.Counters.Sent);
        Assert.Equal(4UL, pump.LastResult.Nonce);
    }

    [Fact]
    public async Task Every_beat_carries_what_the_health_callback_reports_then()
    {
        var depth = 10u;
        await using var pump = HeartbeatPump.Start(Connect(), Interval, () => new AgentHealth(depth > 10 ? BeatStatus.Degraded : BeatStatus.Ok, depth));

        depth = 250;
        _clock.Advance(Interval);

        var frames = new[] { _watcher.Receive(), _watcher.Receive() };
        Assert.Equal([(BeatStatus.Ok, 10u), (BeatStatus.Degraded, 250u)], frames.Select(f => (f.Status, f.Payload)));
    }

    [Fact]
    public async Task A_health_callback_that_throws_makes_the_beat_critical_and_its_exception_is_kept()
    {
        var failure = new InvalidOperationException("the database is unreachable");
        var fail = false;
        await using var pump = HeartbeatPump.Start(Connect(), Interval, () => fail ? throw failure : AgentHealth.Ok);
        Assert.Null(pump.LastHealthError);

        fail = true;
        _clock.Advance(Interval);

        Assert.Equal(BeatStatus.Ok, _watcher.Receive().Status);
        var critical = _watcher.Receive();
        Assert.Equal(BeatStatus.Critical, critical.Status);
        Assert.False(critical.IsTerminated);
        Assert.Same(failure, pump.LastHealthError);
    }

    [Fact]
    public async Task Disposing_the_pump_sends_the_terminal_frame_stops_the_beats_and_disposes_the_client()
    {
        var pump = HeartbeatPump.Start(Connect(), Interval);
        _clock.Advance(Interval);

        await pump.DisposeAsync();
        _clock.Advance(10 * Interval);

        Assert.Equal([1UL, 2UL, Frame.TerminatedNonce], new[] { _watcher.Receive(), _watcher.Receive(), _watcher.Receive() }.Select(f => f.Nonce));
        Assert.True(_watcher.IsEmpty);
        Assert.Throws<ObjectDisposedException>(() => pump.Client.Beat());
    }

    [Fact]
    public async Task Process_exit_and_an_unhandled_exception_send_the_terminal_frame_once_and_end_the_beats()
    {
        var pump = HeartbeatPump.Start(Connect(), Interval);

        pump.OnUnhandledException(null, new UnhandledExceptionEventArgs(new InvalidOperationException("boom"), isTerminating: true));
        pump.OnProcessExit(null, EventArgs.Empty);
        _clock.Advance(3 * Interval);
        await pump.DisposeAsync();

        Assert.Equal(1UL, _watcher.Receive().Nonce);
        var terminal = _watcher.Receive();
        Assert.True(terminal.IsTerminated);
        Assert.Equal(BeatStatus.Critical, terminal.Status);
        Assert.True(_watcher.IsEmpty);
    }

    [Fact]
    public async Task A_pump_started_without_terminate_on_dispose_stops_silently()
    {
        var pump = HeartbeatPump.Start(Connect(), Interval, terminateOnDispose: false);

        await pump.DisposeAsync();

        Assert.Equal(1UL, _watcher.Receive().Nonce);
        Assert.True(_watcher.IsEmpty);
    }
}
