namespace Tether.Watch.Tests;

/// <summary>
/// An idle watcher sleeps: the engine names its next deadline (when a tick could first find a stall), the watcher's
/// loop ticks only then, and sleeping until the deadline loses no stall that ticking on a fine period would find.
/// </summary>
public sealed class IdleWatcherSpecs : IDisposable
{
    private static readonly TimeSpan Threshold = TimeSpan.FromSeconds(5);

    private readonly string _directory = Directory.CreateTempSubdirectory("tether-watch-idle-").FullName;
    private readonly WatchEventLog _events = new();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void The_next_deadline_is_the_earliest_silence_limit_of_an_agent_not_yet_stalled()
    {
        var engine = new WatchEngine(new WatchOptions { Threshold = Threshold });
        var events = new List<WatchEvent>();
        var empty = engine.NextDeadline;

        engine.Handle(Beat(At(0), 1000, 1), events);
        var oneAgent = engine.NextDeadline;
        engine.Handle(Beat(At(2), 2000, 1), events);
        var twoAgents = engine.NextDeadline;
        engine.Handle(new WatchInput.Tick(At(5)), events);
        var firstStalled = engine.NextDeadline;
        engine.Handle(new WatchInput.Tick(At(7)), events);
        var bothStalled = engine.NextDeadline;
        engine.Handle(Beat(At(8), 1000, 2), events);
        var reArmed = engine.NextDeadline;

        Assert.Null(empty);
        Assert.Equal(At(5), oneAgent);
        Assert.Equal(At(5), twoAgents);
        Assert.Equal(At(7), firstStalled);
        Assert.Null(bothStalled);
        Assert.Equal(At(13), reArmed);
        Assert.Equal([1000u, 2000u], events.OfType<WatchEvent.StallDetected>().Select(s => s.Pid));
    }

    [Fact]
    public void A_huge_threshold_gives_the_latest_deadline_instead_of_overflowing()
    {
        var engine = new WatchEngine(new WatchOptions { Threshold = TimeSpan.MaxValue });

        engine.Handle(Beat(At(10), 1000, 1), []);

        Assert.Equal(TimeSpan.MaxValue, engine.NextDeadline);
    }

    [Fact]
    public void Ticking_only_at_the_next_deadline_finds_every_stall_that_ticking_every_millisecond_finds()
    {
        // Beats fall on half milliseconds and the threshold ends on a quarter, so a millisecond tick never ties a beat.
        var options = new WatchOptions { Threshold = Threshold + TimeSpan.FromMicroseconds(250), Capacity = 64 };
        var everyMillisecond = new WatchEngine(options);
        var atDeadlines = new WatchEngine(options);
        var periodicEvents = new List<WatchEvent>();
        var deadlineEvents = new List<WatchEvent>();
        var random = new Random(12);
        var nonces = new Dictionary<uint, ulong>();
        var periodicTicks = 0;
        var deadlineTicks = 0;
        var nextTick = TimeSpan.Zero;
        var at = TimeSpan.FromMicroseconds(500);
        for (var i = 0; i < 600; i++)
        {
            // Bursts and long silences, so agents stall, resume and stall again.
            at += TimeSpan.FromMilliseconds(random.Next(10) == 0 ? random.Next(1_000, 9_000) : random.Next(0, 400));
            for (; nextTick <= at; nextTick += TimeSpan.FromMilliseconds(1), periodicTicks++)
            {
                everyMillisecond.Handle(new WatchInput.Tick(nextTick), periodicEvents);
            }

            while (atDeadlines.NextDeadline is { } deadline && deadline <= at)
            {
                atDeadlines.Handle(new WatchInput.Tick(deadline), deadlineEvents);
                deadlineTicks++;
            }

            var pid = (uint)random.Next(2, 12);
            var beat = Beat(at, pid, nonces[pid] = nonces.GetValueOrDefault(pid) + 1);
            everyMillisecond.Handle(beat, periodicEvents);
            atDeadlines.Handle(beat, deadlineEvents);
        }

        var end = at + TimeSpan.FromMinutes(1);
        everyMillisecond.Handle(new WatchInput.Tick(end), periodicEvents);
        while (atDeadlines.NextDeadline is { } last)
        {
            atDeadlines.Handle(new WatchInput.Tick(last), deadlineEvents);
            deadlineTicks++;
        }

        // The same stalls (agent and the beat it went silent after); within one millisecond tick they come in pid order.
        var periodicStalls = Stalls(periodicEvents);
        var deadlineStalls = deadlineEvents.OfType<WatchEvent.StallDetected>().ToList();
        Assert.True(periodicStalls.Count > 20, $"only {periodicStalls.Count} stalls: the inputs do not exercise stalls");
        Assert.Equal(periodicStalls, Stalls(deadlineEvents));
        Assert.All(deadlineStalls, s => Assert.Equal(options.Threshold, s.SilentFor)); // found at the deadline itself
        Assert.True(deadlineTicks < periodicTicks / 100, $"{deadlineTicks} ticks at deadlines against {periodicTicks} every millisecond");
    }

    [Fact]
    public async Task A_watcher_without_agents_does_not_tick_and_wakes_for_an_agent_at_its_deadline()
    {
        // Arrange
        var clock = VirtualClock.Create();
        var socket = Path.Combine(_directory, "watch.sock");
        var watcher = await Watcher.StartAsync(
            new WatcherOptions { SocketPath = socket, Engine = new WatchOptions { Threshold = Threshold }, SystemdNotify = false, TimeProvider = clock },
            _events.Add);
        try
        {
            // Act: an hour with nobody beating, then one beat and its silence.
            clock.Advance(TimeSpan.FromHours(1));
            await Task.Delay(50);
            var idleTicks = watcher.TickDurations.Count;

            using var agent = HeartbeatClient.ConnectUnix(socket, clock);
            Assert.True(agent.Beat().IsSent);
            var beat = await _events.WaitForAsync<WatchEvent.BeatAccepted>();
            var stalled = _events.WaitForAsync<WatchEvent.StallDetected>();
            await clock.AdvanceUntilAsync(stalled, TimeSpan.FromSeconds(1));
            var stall = await stalled;

            // Assert
            Assert.Equal(0, idleTicks);
            Assert.Equal(Threshold, stall.SilentFor);
            Assert.Equal(beat.At + Threshold, stall.At);
            Assert.InRange(watcher.TickDurations.Count, 1, 3);
        }
        finally
        {
            await watcher.DisposeAsync();
        }
    }

    private static List<(TimeSpan LastBeat, uint Pid)> Stalls(List<WatchEvent> events) =>
        [.. events.OfType<WatchEvent.StallDetected>().Select(s => (LastBeat: s.At - s.SilentFor, s.Pid)).Order()];

    private static TimeSpan At(double seconds) => TimeSpan.FromSeconds(seconds);

    private static WatchInput.Datagram Beat(TimeSpan at, uint pid, ulong nonce) =>
        new(at, new Frame(BeatStatus.Ok, pid, (ulong)at.Ticks * 100, nonce, 0).ToBytes(), new OriginFacts(Origin.KernelAttested, (int)pid, SenderUid: 0, SameNamespace: true, StartTime: 77));
}
