using System.Diagnostics;
using System.Globalization;
using Tether.Lab;
using Tether.Watch;
using static Tether.Benchmarks.BenchArguments;

namespace Tether.Benchmarks.Lab;

/// <summary>
/// <c>trace-bench [--agents N] [--seconds N] [--rounds N]</c>: the watch engine's trace under a realistic load (N agents
/// at 10 Hz with jitter, ticks every 10 ms, one agent in 64 silent for 2 s): bytes per event, the cost of recording
/// next to the engine's own work (engine alone vs engine + recorder, interleaved rounds), and replay speed (read,
/// decode and re-run the engine, comparing every decision). Issue 17's targets: ≤ 12 bytes/event, replay ≥ 5 M
/// events/s.
/// </summary>
internal static class TraceBench
{
    public static int Run(string[] args)
    {
        var agents = Option(args, "--agents", 4096);
        var seconds = Option(args, "--seconds", 10);
        var rounds = Option(args, "--rounds", 5);
        var options = new WatchOptions { Threshold = TimeSpan.FromSeconds(1), Capacity = agents, GlobalBeatsPerSecond = 200_000 };
        var inputs = Load(agents, TimeSpan.FromSeconds(seconds)).ToArray();
        var directory = Directory.CreateTempSubdirectory("tether-trace-bench-").FullName;
        try
        {
            var path = Path.Combine(directory, "load.trace");
            var engineOnly = new List<double>();
            var recorded = new List<double>();
            for (var round = 0; round < rounds; round++)
            {
                engineOnly.Add(Time(() => Feed(options, inputs, null)));
                // The file's creation and final fdatasync are once per recording, not per event: outside the timing.
                using var recorder = WatchTraceRecorder.Create(path, options, new TraceWriterOptions { Generations = 0, MaxFileBytes = 1L << 30 });
                recorded.Add(Time(() => Feed(options, inputs, recorder)));
            }

            var file = TraceFile.Read(path);
            var replays = new List<double>();
            for (var round = 0; round < rounds; round++)
            {
                replays.Add(Time(() =>
                {
                    var result = new WatchTrace().Replay([TraceFile.Read(path)]);
                    if (!result.Identical)
                    {
                        throw new InvalidOperationException("the load's trace did not replay identically");
                    }
                }));
            }

            var (e, r, p) = (Median(engineOnly), Median(recorded), Median(replays));
            Console.WriteLine(Invariant($"trace-bench: {agents} agents at 10 Hz for {seconds} s (virtual), {inputs.Length:N0} inputs, {rounds} interleaved rounds, medians of process CPU time"));
            Console.WriteLine(Invariant($"  size: {file.FileBytes:N0} bytes, {file.FileBytes / (double)file.EventCount:0.00} bytes/event (target ≤ 12)"));
            Console.WriteLine(Invariant($"  engine alone {e * 1e9 / inputs.Length:0} ns/input; engine + recorder {r * 1e9 / inputs.Length:0} ns/input: recording adds {(r / e - 1) * 100:0.0}% to the engine's own work"));
            Console.WriteLine(Invariant($"  replay (read + decode + engine + compare): {inputs.Length / p / 1e6:0.00} M events/s (target ≥ 5)"));
            return 0;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static void Feed(WatchOptions options, WatchInput[] inputs, WatchTraceRecorder? recorder)
    {
        var engine = new WatchEngine(options);
        var events = new List<WatchEvent>();
        foreach (var input in inputs)
        {
            events.Clear();
            engine.Handle(input, events);
            recorder?.Record(input, events);
        }
    }

    /// <summary>CPU seconds the process spent on <paramref name="action"/>: on a shared machine, wall time measures the neighbours.</summary>
    private static double Time(Action action)
    {
        using var process = Process.GetCurrentProcess();
        var before = process.TotalProcessorTime;
        action();
        process.Refresh();
        return (process.TotalProcessorTime - before).TotalSeconds;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    /// <summary>The same load as the trace specs' (tests/Tether.Watch.Tests/Tracing/WatchTraceFixtures.cs).</summary>
    private static IEnumerable<WatchInput> Load(int agents, TimeSpan duration)
    {
        var random = new Random(7);
        var nonce = new ulong[agents];
        var facts = new OriginFacts[agents];
        var queue = new PriorityQueue<int, long>();
        for (var i = 0; i < agents; i++)
        {
            facts[i] = new OriginFacts(Origin.KernelAttested, SenderPid: 10_000 + i, SenderUid: 1000, SameNamespace: true, StartTime: (ulong)(500_000 + i));
            queue.Enqueue(i, random.NextInt64(0, TimeSpan.TicksPerMillisecond * 100));
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

            if (!(agent % 64 == 0 && at >= silentFrom && at < silentUntil))
            {
                nonce[agent]++;
                var frame = new Frame(BeatStatus.Ok, (uint)(10_000 + agent), (ulong)((at * 100) - random.Next(2_000, 40_000) + 1_000_000_000), nonce[agent], (uint)(nonce[agent] / 50));
                yield return new WatchInput.Datagram(TimeSpan.FromTicks(at), frame.ToBytes(), facts[agent]);
            }

            queue.Enqueue(agent, at + (TimeSpan.TicksPerMillisecond * 100) + random.NextInt64(-TimeSpan.TicksPerMillisecond * 10, TimeSpan.TicksPerMillisecond * 10));
        }
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
