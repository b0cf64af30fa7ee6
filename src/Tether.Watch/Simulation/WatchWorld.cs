using Tether.Lab;

namespace Tether.Watch;

/// <summary>
/// A seeded world of agents for the watch engine, on a virtual clock: agents beat with jitter, fall silent (some for
/// less than the threshold, some for longer, some again and again), die and come back under the same pid, and get
/// restarted by recoveries; the host ticks every 10 ms and answers freshness checks and recovery ends after a delay.
/// With chaos: clocks running back, floods, duplicated, dropped and reordered datagrams, spoofed senders, garbage.
/// </summary>
internal sealed class WatchWorld
{
    private const long Ms = TimeSpan.TicksPerMillisecond;
    private static readonly TimeSpan TickEvery = TimeSpan.FromMilliseconds(10);
    private static readonly RecoveryResult Recovered = new(new Outcome.Exited(0), null, TimeSpan.FromMilliseconds(120), 12, 0, false);

    private readonly ChaosLevel _chaos;
    private readonly PriorityQueue<Happening, (long, long)> _queue = new();
    private readonly SimAgent[] _agents;
    private SimRandom _random;
    private long _sequence;
    private ulong _nextStartTime = 5_000;

    public WatchWorld(ulong seed, ChaosLevel chaos)
    {
        _random = new SimRandom(seed);
        _chaos = chaos;
        _agents = new SimAgent[8 + _random.Below(24)];
        for (var i = 0; i < _agents.Length; i++)
        {
            _agents[i] = new SimAgent { Index = i, Pid = (uint)(1000 + i), Flaky = _random.OneIn(3), Period = _random.Between(80, 200) * Ms };
            Spawn(_agents[i], _random.Between(0, 100) * Ms);
        }

        Schedule(TickEvery.Ticks, new Happening(HappeningKind.Tick));
    }

    /// <summary>The next input, produced from whatever happens next in the world.</summary>
    public WatchInput Next()
    {
        while (true)
        {
            _queue.TryDequeue(out var happening, out var when);
            var now = when.Item1;
            var input = Happen(happening, now);
            if (input is not null)
            {
                return input;
            }
        }
    }

    /// <summary>The engine's requests, answered as a host would: freshness after a delay, recoveries that end and sometimes restart the agent.</summary>
    public void Observe(IReadOnlyList<WatchEvent> events, TimeSpan now)
    {
        foreach (var e in events)
        {
            switch (e)
            {
                case WatchEvent.FreshnessCheckRequested check:
                    Schedule(now.Ticks + (_random.Between(0, 200) * Ms), new Happening(HappeningKind.Freshness) { Id = check.RecoveryId, Pid = check.Pid });
                    break;
                case WatchEvent.RecoveryStarted started:
                    Schedule(now.Ticks + (_random.Between(50, 400) * Ms), new Happening(HappeningKind.RecoveryEnd) { Id = started.RecoveryId, Pid = started.Pid });
                    break;
            }
        }
    }

    private WatchInput? Happen(Happening happening, long now)
    {
        switch (happening.Kind)
        {
            case HappeningKind.Tick:
                Schedule(now + TickEvery.Ticks, happening);
                return new WatchInput.Tick(Skewed(now));
            case HappeningKind.Freshness:
                return new WatchInput.FreshnessChecked(Skewed(now), happening.Id, Alive(happening.Pid)?.StartTime);
            case HappeningKind.RecoveryEnd:
                if (Alive(happening.Pid) is { } recovered && _random.OneIn(2))
                {
                    // The recovery restarted the agent: a new process under the same pid.
                    Kill(recovered);
                    Spawn(recovered, now + (_random.Between(10, 300) * Ms));
                }

                return new WatchInput.RecoveryEnded(Skewed(now), happening.Id, Recovered);
            case HappeningKind.Spawn:
                Spawn(_agents[happening.Agent], now);
                return null;
            case HappeningKind.Raw:
                return new WatchInput.Datagram(Skewed(now), happening.Bytes!, happening.Facts!);
            default:
                return Beat(_agents[happening.Agent], happening.Generation, now);
        }
    }

    private WatchInput? Beat(SimAgent agent, int generation, long now)
    {
        if (!agent.Alive || generation != agent.Generation)
        {
            return null; // a beat scheduled for a process that has since died
        }

        var heavy = _chaos == ChaosLevel.Heavy;
        var light = _chaos != ChaosLevel.None;
        agent.Nonce++;
        var status = _random.OneIn(20) ? BeatStatus.Degraded : BeatStatus.Ok;
        var frame = new Frame(status, agent.Pid, agent.EmitterBase + (ulong)(now * 100), agent.Nonce, (uint)agent.Nonce * 3);
        var bytes = frame.ToBytes();
        ScheduleNextBeat(agent, now);

        if (light && _random.OneIn(heavy ? 40 : 400))
        {
            Schedule(now + Ms, new Happening(HappeningKind.Raw) { Bytes = bytes, Facts = agent.Facts }); // duplicated
        }

        if (light && _random.OneIn(heavy ? 40 : 400))
        {
            // Reordered: the next beat overtakes this one.
            agent.Nonce++;
            var overtaking = (frame with { Nonce = agent.Nonce }).ToBytes();
            Schedule(now + Ms, new Happening(HappeningKind.Raw) { Bytes = bytes, Facts = agent.Facts });
            bytes = overtaking;
        }

        if (light && _random.OneIn(heavy ? 60 : 600))
        {
            return null; // dropped
        }

        if (heavy && _random.OneIn(500))
        {
            for (var i = 1; i <= 80; i++)
            {
                agent.Nonce++;
                Schedule(now + i, new Happening(HappeningKind.Raw) { Bytes = (frame with { Nonce = agent.Nonce }).ToBytes(), Facts = agent.Facts }); // a flood
            }
        }

        if (light && _random.OneIn(heavy ? 100 : 1000))
        {
            // A spoofed sender: another process claims this agent's pid (kernel credentials), or UDP claims it.
            var spoofer = _random.OneIn(2)
                ? new OriginFacts(Origin.KernelAttested, SenderPid: (int)agent.Pid + 500, SenderUid: 1000, SameNamespace: true, StartTime: agent.StartTime)
                : new OriginFacts(Origin.NetworkUnverified, Peer: "10.0.0.9:4000");
            Schedule(now + (2 * Ms), new Happening(HappeningKind.Raw) { Bytes = (frame with { Nonce = agent.Nonce + 1 }).ToBytes(), Facts = spoofer });
        }

        if (heavy && _random.OneIn(300))
        {
            var garbage = new byte[_random.Below(40)];
            _random.Next();
            Schedule(now + Ms, new Happening(HappeningKind.Raw) { Bytes = garbage, Facts = agent.Facts });
        }

        if (light && _random.OneIn(heavy ? 300 : 3000))
        {
            // Dies without a goodbye; a new process may take the same pid later (pid reuse).
            Kill(agent);
            Schedule(now + (_random.Between(200, 8000) * Ms), new Happening(HappeningKind.Spawn) { Agent = agent.Index });
        }
        else if (_random.OneIn(2000))
        {
            Kill(agent);
            Schedule(now + (_random.Between(500, 3000) * Ms), new Happening(HappeningKind.Spawn) { Agent = agent.Index });
            return new WatchInput.Datagram(Skewed(now), Frame.Terminated(agent.Pid, frame.Timestamp).ToBytes(), agent.Facts!);
        }

        return new WatchInput.Datagram(Skewed(now), bytes, agent.Facts!);
    }

    private void ScheduleNextBeat(SimAgent agent, long now)
    {
        var next = now + agent.Period + (_random.Between(0, 30) * Ms);
        if (agent.Flaky ? --agent.BeatsLeft <= 0 : _random.OneIn(150))
        {
            // A silence: often shorter than the threshold, often longer; flaky agents stall again and again.
            next += agent.Flaky ? _random.Between(400, 1400) * Ms : _random.Between(200, 6000) * Ms;
            agent.BeatsLeft = (int)_random.Between(2, 10);
        }

        Schedule(next, new Happening(HappeningKind.Beat) { Agent = agent.Index, Generation = agent.Generation });
    }

    private void Spawn(SimAgent agent, long at)
    {
        agent.Alive = true;
        agent.Generation++;
        agent.StartTime = _nextStartTime += (ulong)_random.Between(1, 50);
        agent.Nonce = 0;
        agent.BeatsLeft = (int)_random.Between(2, 10);
        agent.EmitterBase = _random.Next() >> 8;
        agent.Facts = new OriginFacts(Origin.KernelAttested, SenderPid: (int)agent.Pid, SenderUid: 1000, SameNamespace: true, StartTime: agent.StartTime);
        Schedule(at, new Happening(HappeningKind.Beat) { Agent = agent.Index, Generation = agent.Generation });
    }

    private static void Kill(SimAgent agent)
    {
        agent.Alive = false;
        agent.Generation++;
    }

    private SimAgent? Alive(uint pid)
    {
        var index = (int)(pid - 1000);
        return index >= 0 && index < _agents.Length && _agents[index].Alive ? _agents[index] : null;
    }

    /// <summary>The time an input carries: now, or (chaos) a clock that ran back a little.</summary>
    private TimeSpan Skewed(long now)
    {
        var back = _chaos switch
        {
            ChaosLevel.Heavy when _random.OneIn(200) => _random.Between(1, 500) * Ms,
            ChaosLevel.Light when _random.OneIn(2000) => _random.Between(1, 50) * Ms,
            _ => 0,
        };
        return TimeSpan.FromTicks(Math.Max(0, now - back));
    }

    private void Schedule(long at, Happening happening) => _queue.Enqueue(happening, (at, _sequence++));

    private enum HappeningKind
    {
        Beat,
        Tick,
        Freshness,
        RecoveryEnd,
        Spawn,
        Raw,
    }

    private sealed class SimAgent
    {
        public int Index;
        public uint Pid;
        public bool Flaky;
        public long Period;
        public bool Alive;
        public int Generation;
        public ulong StartTime;
        public ulong Nonce;
        public int BeatsLeft;
        public ulong EmitterBase;
        public OriginFacts? Facts;
    }

    private readonly record struct Happening(HappeningKind Kind)
    {
        public int Agent { get; init; }

        public int Generation { get; init; }

        public long Id { get; init; }

        public uint Pid { get; init; }

        public byte[]? Bytes { get; init; }

        public OriginFacts? Facts { get; init; }
    }
}
