using Tether.Lab;

namespace Tether.Watch.Tests.Tracing;

/// <summary>Inputs for trace specs: seeded simulated runs, a load of thousands of agents, and input comparison.</summary>
internal static class WatchTraceFixtures
{
    /// <summary>The inputs of a seeded simulated run (the engine as shipped answers the world's requests).</summary>
    public static List<WatchInput> Simulated(ulong seed, int events, ChaosLevel chaos = ChaosLevel.Heavy)
    {
        var simulation = new WatchSimulation();
        var run = simulation.Start(simulation.Header(seed, chaos), chaos);
        var inputs = new List<WatchInput>(events);
        while (inputs.Count < events && run.TryNext(out var input))
        {
            inputs.Add(input);
            Assert.Null(run.Feed(input, out _));
        }

        return inputs;
    }

    /// <summary>
    /// <paramref name="agents"/> kernel-attested agents beating at 10 Hz with up to 20 ms of jitter (the emitter's clock
    /// moving with ours, a few microseconds of latency apart), ticks every 10 ms, and one agent in 64 falling silent for
    /// 2 s in the middle: a realistic watcher load, in input order.
    /// </summary>
    public static IEnumerable<WatchInput> Load(int agents, TimeSpan duration, ulong seed = 7)
    {
        var random = new Random((int)seed);
        var next = new long[agents];
        var nonce = new ulong[agents];
        var facts = new OriginFacts[agents];
        for (var i = 0; i < agents; i++)
        {
            next[i] = random.NextInt64(0, TimeSpan.TicksPerMillisecond * 100);
            facts[i] = new OriginFacts(Origin.KernelAttested, SenderPid: 10_000 + i, SenderUid: 1000, SameNamespace: true, StartTime: (ulong)(500_000 + i));
        }

        var queue = new PriorityQueue<int, long>();
        for (var i = 0; i < agents; i++)
        {
            queue.Enqueue(i, next[i]);
        }

        var tick = TimeSpan.TicksPerMillisecond * 10;
        var nextTick = tick;
        var silentFrom = duration.Ticks / 3;
        var silentUntil = silentFrom + (2 * TimeSpan.TicksPerSecond);
        while (queue.TryDequeue(out var agent, out var at) && at < duration.Ticks)
        {
            while (nextTick <= at)
            {
                yield return new WatchInput.Tick(TimeSpan.FromTicks(nextTick));
                nextTick += tick;
            }

            var silent = agent % 64 == 0 && at >= silentFrom && at < silentUntil;
            if (!silent)
            {
                nonce[agent]++;
                var latencyNs = random.Next(2_000, 40_000);
                var frame = new Frame(BeatStatus.Ok, (uint)(10_000 + agent), (ulong)((at * 100) - latencyNs + 1_000_000_000), nonce[agent], (uint)(nonce[agent] / 50));
                yield return new WatchInput.Datagram(TimeSpan.FromTicks(at), frame.ToBytes(), facts[agent]);
            }

            queue.Enqueue(agent, at + (TimeSpan.TicksPerMillisecond * 100) + random.NextInt64(-TimeSpan.TicksPerMillisecond * 10, TimeSpan.TicksPerMillisecond * 10));
        }
    }

    /// <summary>Whether two inputs are the same (a datagram's bytes compared by content).</summary>
    public static bool Same(WatchInput expected, WatchInput actual) => (expected, actual) switch
    {
        (WatchInput.Datagram a, WatchInput.Datagram b) => a.At == b.At && a.Bytes.Span.SequenceEqual(b.Bytes.Span) && a.Facts == b.Facts,
        _ => expected == actual,
    };

    /// <summary>Records <paramref name="inputs"/> through a real engine into a trace in memory.</summary>
    public static byte[] Record(WatchOptions options, IEnumerable<WatchInput> inputs, ulong seed = 0) =>
        TraceWriter<WatchInput>.Encode(WatchTrace.Header(options, seed), new WatchInputCodec(), TraceReplayer.Decide(new WatchTrace(), WatchTrace.Header(options, seed), inputs));
}
