using System.Diagnostics;
using System.Globalization;
using static Tether.Benchmarks.BenchArguments;

namespace Tether.Benchmarks.Watch;

/// <summary>
/// <c>watch-idle --tether PATH [--seconds N] [--agents N]</c>: what a <c>tether watch</c> process costs while it waits.
/// It starts the given binary as <c>tether watch --socket … --threshold 5s</c>, lets it settle, and reads its CPU time
/// (utime + stime of <c>/proc/PID/stat</c>, all threads) before and after N seconds with no agent; then starts N
/// <c>tether beat --every 1s</c> processes (real agents, each its own pid, kernel-attested) and measures again. RSS is
/// <c>VmRSS</c> of <c>/proc/PID/status</c> at the end of each phase. Issue 12's targets: ≤ 0.1% of a core with no
/// agents, ≤ 0.5% with 50 agents at 1 Hz, RSS ≤ 15 MB idle.
/// </summary>
internal static class WatchIdle
{
    public static async Task<int> RunAsync(string[] args)
    {
        var tether = ValueOf(args, "--tether");
        if (tether is null || !File.Exists(tether))
        {
            Console.Error.WriteLine("watch-idle: give the tether binary to measure with --tether PATH (build it with the README's first command).");
            return 2;
        }

        tether = Path.GetFullPath(tether);
        var seconds = Option(args, "--seconds", 30);
        var agentCount = Option(args, "--agents", 50);
        var directory = Directory.CreateTempSubdirectory("tether-watch-idle-").FullName;
        var socket = Path.Combine(directory, "watch.sock");
        var lines = new List<string>();
        var agents = new List<Process>();
        using var watcher = Start(tether, "watch", "--socket", socket, "--threshold", "5s");
        watcher.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                lock (lines)
                {
                    lines.Add(line);
                }
            }
        };
        watcher.BeginOutputReadLine();
        watcher.BeginErrorReadLine();
        try
        {
            var waited = Stopwatch.StartNew();
            while (!File.Exists(socket))
            {
                if (waited.Elapsed > TimeSpan.FromSeconds(30) || watcher.HasExited)
                {
                    Console.Error.WriteLine("watch-idle: the watcher did not create its socket");
                    return 1;
                }

                await Task.Delay(10);
            }

            await Task.Delay(TimeSpan.FromSeconds(2)); // start-up work done
            var idle = await MeasureAsync(watcher.Id, seconds);

            for (var i = 0; i < agentCount; i++)
            {
                var agent = Start(tether, "beat", "--socket", socket, "--every", "1s");
                agent.BeginOutputReadLine(); // nothing worth keeping; drained so a full pipe never blocks an agent
                agent.BeginErrorReadLine();
                agents.Add(agent);
            }

            await Task.Delay(TimeSpan.FromSeconds(3)); // every agent has beaten and is tracked
            int before;
            lock (lines)
            {
                before = lines.Count;
            }

            var busy = await MeasureAsync(watcher.Id, seconds);
            string[] seen;
            lock (lines)
            {
                seen = [.. lines];
            }

            var tracked = seen.Count(l => l.StartsWith("beat_accepted", StringComparison.Ordinal));
            var stalls = seen.Skip(before).Count(l => l.StartsWith("stall_detected", StringComparison.Ordinal));
            Console.WriteLine(Invariant($"watch-idle: {tether} watch --threshold 5s, {seconds} s per phase ({Environment.ProcessorCount} cores)"));
            Console.WriteLine(Invariant($"  no agents                 {idle.CorePercent,6:F3}% of a core   RSS {idle.RssMiB,5:F1} MiB"));
            Console.WriteLine(Invariant($"  {agentCount} agents at 1 Hz        {busy.CorePercent,6:F3}% of a core   RSS {busy.RssMiB,5:F1} MiB   ({tracked} agents tracked, {stalls} stalls while measuring)"));
            Console.WriteLine(Invariant($"  verdict: idle {(idle.CorePercent <= 0.1 ? "≤ 0.1%: met" : "> 0.1%: missed")}; {agentCount} agents {(busy.CorePercent <= 0.5 ? "≤ 0.5%: met" : "> 0.5%: missed")}; idle RSS {(idle.RssMiB <= 15 ? "≤ 15 MB: met" : "> 15 MB: missed")}"));
            return tracked >= agentCount && stalls == 0 ? 0 : 1;
        }
        finally
        {
            foreach (var agent in agents)
            {
                agent.Kill();
                await agent.WaitForExitAsync();
                agent.Dispose();
            }

            // SIGTERM: the watcher stops gracefully and removes its socket.
            using (var kill = Process.Start("kill", ["-TERM", watcher.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            await watcher.WaitForExitAsync();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static Process Start(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        return process;
    }

    /// <summary>CPU used by <paramref name="pid"/> over <paramref name="seconds"/>, as a share of one core, and its RSS at the end.</summary>
    private static async Task<(double CorePercent, double RssMiB)> MeasureAsync(int pid, int seconds)
    {
        var ticksBefore = CpuTicks(pid);
        var started = Stopwatch.GetTimestamp();
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        var ticks = CpuTicks(pid) - ticksBefore;
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return (ticks / ClockTicksPerSecond / elapsed * 100, RssKiB(pid) / 1024.0);
    }

    // sysconf(_SC_CLK_TCK): 100 on every Linux configuration that exists in practice (USER_HZ is fixed in the ABI).
    private const double ClockTicksPerSecond = 100;

    /// <summary>utime + stime (fields 14 and 15) of <c>/proc/PID/stat</c>, in clock ticks, summed over all threads.</summary>
    private static long CpuTicks(int pid)
    {
        var text = File.ReadAllText($"/proc/{pid}/stat");
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    private static long RssKiB(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }
}
