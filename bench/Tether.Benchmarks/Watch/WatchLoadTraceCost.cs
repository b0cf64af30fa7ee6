using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Tether.Watch;
using static Tether.Benchmarks.BenchArguments;

namespace Tether.Benchmarks.Watch;

/// <summary>
/// <c>watch-load --compare-trace [--rounds N] [--agents N] [--hz N] [--seconds N] [--cpu N] [--no-trace-either]</c>: what recording a trace costs a
/// watcher under the <c>watch-load</c> load, like for like. Each round starts two watcher processes (this program as
/// <c>watch-load-target</c>), one with <c>--trace</c> and one without, and one sender thread here beats every agent to
/// both at once — the same load at the same moments, so a neighbour's burst on the shared machine weighs on both. Each
/// watcher measures its own process CPU time from the first beat to the end (every agent stalled), which holds nothing
/// but the watcher: the sender is in another process. A 2 s warm-up load before that lets both JIT-compile their hot
/// paths unmeasured. The order of the two sends alternates between rounds, and the rounds come in pairs: the watcher a
/// datagram reaches first pays less for it (by a third on the reference machine), so one round's ratio mostly says which
/// watcher was first, and the geometric mean of a pair's two ratios cancels that. Reports each round, each pair, and the
/// median of the pairs. Issue 17's target: recording costs ≤ 5%.
/// <c>--cpu N</c> runs both watchers on CPU N only (with <c>taskset</c>). <c>--no-trace-either</c> runs the same with neither watcher recording: the comparison's own noise.
/// </summary>
internal static class WatchLoadTraceCost
{
    private const uint FirstPid = 100_000;

    public static async Task<int> RunAsync(string[] args)
    {
        var agents = Option(args, "--agents", 4096);
        var hz = Option(args, "--hz", 10);
        var seconds = Option(args, "--seconds", 5);
        var rounds = Option(args, "--rounds", 6);
        rounds += rounds % 2; // whole pairs: each watcher first equally often

        // --cpu N: both watchers on that one CPU (taskset), so neither gets a CPU of its own by chance: on a shared
        // 2-core machine which CPU a watcher's threads land on, beside the sender or not, doubles or halves its cost.
        var cpu = ValueOf(args, "--cpu");

        // --no-trace-either: both watchers without the trace, to see the noise floor of the comparison (an A/A run).
        var neither = args.Contains("--no-trace-either");
        var directory = Directory.CreateTempSubdirectory("tether-watch-trace-cost-").FullName;
        var plain = new List<Report>();
        var traced = new List<Report>();
        var ok = true;
        Console.WriteLine(Invariant($"watch-load --compare-trace: {agents} agents at {hz} Hz for {seconds} s to two watchers at once (one recording), {rounds} rounds, load average {LoadAverage()}"));
        try
        {
            for (var round = 1; round <= rounds; round++)
            {
                var trace = Path.Combine(directory, $"round{round}.trace");
                await using var without = await Target.StartAsync(agents, null, cpu);
                await using var with = await Target.StartAsync(agents, neither ? null : trace, cpu);
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                var ports = round % 2 == 0 ? new[] { without.Port, with.Port } : [with.Port, without.Port];
                var nonces = new ulong[agents];

                // Warm-up, not measured: each watcher process JIT-compiles its hot paths (the recording one has more of
                // them) in its first second or two; the tether binary is compiled ahead of time and pays none of it.
                await Task.Factory.StartNew(() => Send(socket, ports, agents, hz, WarmUpSeconds, nonces), TaskCreationOptions.LongRunning);
                await Task.Delay(TimeSpan.FromSeconds(2.5));
                await without.SendAsync("start");
                await with.SendAsync("start");
                var sent = await Task.Factory.StartNew(() => Send(socket, ports, agents, hz, seconds, nonces), TaskCreationOptions.LongRunning);
                await Task.Delay(TimeSpan.FromSeconds(2.5)); // drain, and every agent stalls (threshold 1 s)
                var a = await without.StopAsync();
                var b = await with.StopAsync();
                foreach (var file in Directory.GetFiles(directory))
                {
                    File.Delete(file);
                }

                var held = a.Beats == sent && b.Beats == sent && a.Stalls == agents && b.Stalls == agents;
                ok &= held;

                plain.Add(a);
                traced.Add(b);
                Console.WriteLine(Invariant($"  round {round}: sent {sent:N0} to each; without the trace {a.Cpu.TotalSeconds:0.000} s CPU ({a.Cpu.TotalMicroseconds / a.Inputs:0.00} µs/input, {a.ContextSwitches / (double)a.Inputs:0.00} switches/input), with it {b.Cpu.TotalSeconds:0.000} s ({b.Cpu.TotalMicroseconds / b.Inputs:0.00} µs/input, {b.ContextSwitches / (double)b.Inputs:0.00} switches/input, {b.TraceBytes:N0} bytes): ratio {b.Cpu / a.Cpu:0.000}{(held ? "" : $"; NOT HELD: accepted {a.Beats:N0} / {b.Beats:N0}, stalls {a.Stalls} / {b.Stalls}")}"));
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }

        var off = Median(plain.Select(r => r.Cpu.TotalSeconds));
        var on = Median(traced.Select(r => r.Cpu.TotalSeconds));
        var ratios = plain.Zip(traced, (a, b) => b.Cpu / a.Cpu).ToArray();
        var pairs = Enumerable.Range(0, ratios.Length / 2).Select(i => Math.Sqrt(ratios[2 * i] * ratios[(2 * i) + 1])).ToArray();
        Console.WriteLine(Invariant($"  pairs (geometric mean of a pair's ratios, each watcher first once): {string.Join(", ", pairs.Select(p => p.ToString("0.000", CultureInfo.InvariantCulture)))}"));
        var ratio = Median(pairs);
        Console.WriteLine(Invariant($"  medians: without {off:0.000} s, with {on:0.000} s; median of the pairs {ratio:0.000}: recording costs {(ratio - 1) * 100:+0.0;-0.0}% of the watcher's CPU (target ≤ 5%); load average {LoadAverage()}"));
        return ok ? 0 : 1;
    }

    /// <summary>
    /// <c>watch-load-target --agents N [--trace FILE]</c>: the watcher side of <c>--compare-trace</c>. Prints its UDP port;
    /// on the line <c>start</c> takes its CPU time; on <c>stop</c> prints CPU µs, beats accepted, stalls seen, inputs,
    /// and trace bytes, and exits.
    /// </summary>
    public static async Task<int> RunTargetAsync(string[] args)
    {
        var agents = Option(args, "--agents", 4096);
        long stalls = 0;
        var options = new WatcherOptions
        {
            Udp = new IPEndPoint(IPAddress.Loopback, 0),
            Engine = new WatchOptions { Threshold = TimeSpan.FromSeconds(1), Capacity = Math.Max(agents, 1) },
            SystemdNotify = false,
            TraceFile = ValueOf(args, "--trace"),
        };
        await using var watcher = await Watcher.StartAsync(options, e =>
        {
            if (e is WatchEvent.StallDetected)
            {
                Interlocked.Increment(ref stalls);
            }
        });
        var endpoint = watcher.Endpoints.Single();
        Console.WriteLine(endpoint[(endpoint.LastIndexOf(':') + 1)..]);
        if (Console.ReadLine() != "start")
        {
            return 2;
        }

        var before = Process.GetCurrentProcess().TotalProcessorTime;
        var switchesBefore = ContextSwitches();
        var beatsBefore = watcher.Engine.Counters.Beats;
        var ticksBefore = watcher.TickDurations.Count;
        Interlocked.Exchange(ref stalls, 0); // the warm-up's stalls are not this run's
        if (Console.ReadLine() != "stop")
        {
            return 2;
        }

        var cpu = Process.GetCurrentProcess().TotalProcessorTime - before;
        var switches = ContextSwitches() - switchesBefore;
        var counters = watcher.Engine.Counters;
        var beats = counters.Beats - beatsBefore;
        var inputs = beats + watcher.TickDurations.Count - ticksBefore;
        Console.WriteLine(Invariant($"{cpu.Ticks} {beats} {Interlocked.Read(ref stalls)} {inputs} {watcher.TraceRecorder?.BytesWritten ?? 0} {switches}"));
        return 0;
    }

    private const int WarmUpSeconds = 2;

    private static long Send(Socket socket, int[] ports, int agents, int hz, int seconds, ulong[] nonces)
    {
        var targets = ports.Select(p => new IPEndPoint(IPAddress.Loopback, p)).ToArray();
        var frame = new byte[Frame.Size];
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
            foreach (var target in targets)
            {
                socket.SendTo(frame, target);
            }
        }

        return total;
    }

    private readonly record struct Report(TimeSpan Cpu, long Beats, long Stalls, long Inputs, long TraceBytes, long ContextSwitches);

    /// <summary>Context switches of this process's live threads (voluntary and not), from each /proc/self/task/TID/status.</summary>
    private static long ContextSwitches()
    {
        long total = 0;
        foreach (var task in Directory.GetDirectories("/proc/self/task"))
        {
            try
            {
                foreach (var line in File.ReadLines(Path.Combine(task, "status")))
                {
                    if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal) || line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                    {
                        total += long.Parse(line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim(), CultureInfo.InvariantCulture);
                    }
                }
            }
            catch (IOException)
            {
                // The thread ended meanwhile.
            }
        }

        return total;
    }

    /// <summary>One watcher process of a round.</summary>
    private sealed class Target : IAsyncDisposable
    {
        private readonly Process _process;

        private Target(Process process, int port)
        {
            _process = process;
            Port = port;
        }

        public int Port { get; }

        public static async Task<Target> StartAsync(int agents, string? trace, string? cpu)
        {
            var start = new ProcessStartInfo(cpu is null ? Environment.ProcessPath! : "taskset") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var argument in (string[])[.. cpu is null ? [] : new[] { "-c", cpu, Environment.ProcessPath! }, "watch-load-target", "--agents", agents.ToString(CultureInfo.InvariantCulture), .. trace is null ? [] : new[] { "--trace", trace }])
            {
                start.ArgumentList.Add(argument);
            }

            // Fully optimised code from the first call, as in the ahead-of-time tether binary: no tier-up, no
            // instrumented tier, no background recompilation inside the measured window.
            start.Environment["DOTNET_TieredCompilation"] = "0";
            var process = Process.Start(start)!;
            var port = await process.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("the watcher process did not start");
            return new Target(process, int.Parse(port, CultureInfo.InvariantCulture));
        }

        public async Task SendAsync(string line)
        {
            await _process.StandardInput.WriteLineAsync(line);
            await _process.StandardInput.FlushAsync();
        }

        public async Task<Report> StopAsync()
        {
            await SendAsync("stop");
            var fields = (await _process.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("the watcher process did not report")).Split(' ');
            var numbers = fields.Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            return new Report(TimeSpan.FromTicks(numbers[0]), numbers[1], numbers[2], numbers[3], numbers[4], numbers[5]);
        }

        public async ValueTask DisposeAsync()
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(TimeSpan.FromSeconds(30)))
            {
                _process.Kill();
            }

            await _process.WaitForExitAsync();
            _process.Dispose();
        }
    }

    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
