using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Tether.Watch;

namespace Tether.Benchmarks.Watch;

/// <summary>
/// <c>watch-load [--agents N] [--hz N] [--seconds N] [--trace FILE]</c>: a real watcher (UDP listener, host loop, engine) under N agents
/// beating at the given rate, paced evenly by one sender thread, for the given time; then every agent falls silent at
/// once and the stall latency is measured. Every beat sent must be accounted for: accepted by the engine, or dropped
/// and counted by the kernel (UDP receive-buffer errors), the listener's queue, the host's input queue, or the engine
/// (with its reason). Issue 5's target: 4096 agents at 10 Hz held without unexplained drops; stall-to-event latency
/// below threshold + 50 ms.
/// </summary>
internal static class WatchLoad
{
    private static readonly TimeSpan Threshold = TimeSpan.FromSeconds(1);

    public static async Task<int> RunAsync(string[] args)
    {
        var agents = Option(args, "--agents", 4096);
        var hz = Option(args, "--hz", 10);
        var seconds = Option(args, "--seconds", 10);
        var stalls = new long[agents];
        var options = new WatcherOptions
        {
            Udp = new IPEndPoint(IPAddress.Loopback, 0),
            Engine = new WatchOptions { Threshold = Threshold, Capacity = Math.Max(agents, 1) },
            SystemdNotify = false,
            TraceFile = TextOption(args, "--trace"),
        };
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        await using var watcher = await Watcher.StartAsync(options, e =>
        {
            if (e is WatchEvent.StallDetected stall && stall.Pid >= FirstPid && stall.Pid < FirstPid + agents)
            {
                stalls[stall.Pid - FirstPid] = Stopwatch.GetTimestamp();
            }
        });
        var port = int.Parse(watcher.Endpoints.Single()[(watcher.Endpoints.Single().LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        sender.Connect(new IPEndPoint(IPAddress.Loopback, port));

        var kernelBefore = UdpReceiveErrors();
        var lastSent = new long[agents];
        var sent = await Task.Run(() => Send(sender, agents, hz, seconds, lastSent));
        var quietFrom = Stopwatch.GetTimestamp();

        // Let the queues drain and every agent stall.
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * (long)(Threshold.TotalSeconds + 5);
        while (Stopwatch.GetTimestamp() < deadline && stalls.Any(s => s == 0))
        {
            await Task.Delay(50);
        }

        var kernelDrops = UdpReceiveErrors() - kernelBefore;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        var counters = watcher.Engine.Counters;
        var engineDrops = Enum.GetValues<DropReason>().Sum(r => counters.Drops(r));
        var decodeErrors = Enum.GetValues<FrameErrorKind>().Sum(k => counters.DecodeErrors(k));
        var accounted = counters.Beats + engineDrops + decodeErrors + watcher.DroppedByListeners + watcher.DroppedInputs + kernelDrops;
        var latencies = Enumerable.Range(0, agents).Where(i => stalls[i] != 0)
            .Select(i => Stopwatch.GetElapsedTime(lastSent[i], stalls[i]) - Threshold).Order().ToArray();

        Console.WriteLine(Invariant($"watch-load: {agents} agents at {hz} Hz for {seconds} s over UDP loopback, threshold {Threshold.TotalMilliseconds} ms"));
        Console.WriteLine(Invariant($"  sent {sent:N0} beats ({sent / (double)seconds:N0}/s); accepted {counters.Beats:N0}"));
        Console.WriteLine(Invariant($"  dropped: kernel receive buffer {kernelDrops:N0}, listener queue {watcher.DroppedByListeners:N0}, host input queue {watcher.DroppedInputs:N0}, engine {engineDrops:N0} ({string.Join(", ", Enum.GetValues<DropReason>().Where(r => counters.Drops(r) > 0).Select(r => $"{r} {counters.Drops(r)}"))}), decode errors {decodeErrors:N0}"));
        Console.WriteLine(Invariant($"  unexplained: {sent - accounted:N0}"));
        Console.WriteLine(Invariant($"  process CPU (sender and watcher): {cpu.TotalSeconds:0.00} s{(options.TraceFile is { } trace ? $"; trace {watcher.TraceRecorder!.Events:N0} inputs, {watcher.TraceRecorder.BytesWritten:N0} bytes so far in {trace}" : "")}"));
        Console.WriteLine(Invariant($"  engine tick: {watcher.TickDurations.Count:N0} ticks, mean {(watcher.TickDurations.Count == 0 ? 0 : watcher.TickDurations.Sum.TotalMicroseconds / watcher.TickDurations.Count):F1} µs"));
        if (latencies.Length > 0)
        {
            Console.WriteLine(Invariant($"  stall latency beyond the threshold ({latencies.Length} of {agents} agents stalled at once): p50 {latencies[latencies.Length / 2].TotalMilliseconds:F1} ms, p99 {latencies[(int)(latencies.Length * 0.99)].TotalMilliseconds:F1} ms, max {latencies[^1].TotalMilliseconds:F1} ms"));
        }

        var held = sent == accounted && kernelDrops + watcher.DroppedByListeners + watcher.DroppedInputs + engineDrops == 0;
        var prompt = latencies.Length == agents && latencies[^1] < TimeSpan.FromMilliseconds(50);
        Console.WriteLine(Invariant($"  verdict: load {(held ? "held, no drops" : sent == accounted ? "every drop explained" : "UNEXPLAINED drops")}; stall latency {(prompt ? "below threshold + 50 ms: met" : "missed")}"));
        _ = quietFrom;
        return sent == accounted ? 0 : 1;
    }

    private const uint FirstPid = 100_000;

    private static long Send(Socket socket, int agents, int hz, int seconds, long[] lastSent)
    {
        var frame = new byte[Frame.Size];
        var nonces = new ulong[agents];
        var total = (long)agents * hz * seconds;
        var interval = (double)Stopwatch.Frequency / (agents * (double)hz);
        var start = Stopwatch.GetTimestamp();
        for (long n = 0; n < total; n++)
        {
            var due = start + (long)(n * interval);
            while (Stopwatch.GetTimestamp() < due)
            {
                Thread.SpinWait(20);
            }

            var agent = (int)(n % agents);
            new Frame(BeatStatus.Ok, FirstPid + (uint)agent, (ulong)(Stopwatch.GetTimestamp() - start), ++nonces[agent], 0).Encode(frame);
            socket.Send(frame);
            lastSent[agent] = Stopwatch.GetTimestamp();
        }

        return total;
    }

    /// <summary>UDP datagrams the kernel dropped for lack of receive-buffer room (RcvbufErrors in /proc/net/snmp).</summary>
    private static long UdpReceiveErrors()
    {
        var lines = File.ReadAllLines("/proc/net/snmp").Where(l => l.StartsWith("Udp:", StringComparison.Ordinal)).ToArray();
        var names = lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var values = lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return long.Parse(values[Array.IndexOf(names, "RcvbufErrors")], CultureInfo.InvariantCulture);
    }

    private static string? TextOption(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
