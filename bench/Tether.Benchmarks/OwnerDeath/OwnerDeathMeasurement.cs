using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Tether.Benchmarks.OwnerDeath;

/// <summary>
/// <c>owner-death [--runs N] [--timeout SECONDS]</c>: for each containment mode, N times: start a host (this assembly in
/// <c>owner-death-host</c> mode) that starts a Tether tree, SIGKILL the host, and time how long the tree's processes
/// stay alive (polling <c>/proc/PID/stat</c> every millisecond; a zombie counts as dead).
/// </summary>
internal static class OwnerDeathMeasurement
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);

    public static async Task<int> RunAsync(string[] args)
    {
        var runs = 20;
        var survivalLimit = TimeSpan.FromSeconds(5);
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--runs" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var n) && n > 0:
                    runs = n;
                    i++;
                    break;
                case "--timeout" when i + 1 < args.Length && double.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var s) && s > 0:
                    survivalLimit = TimeSpan.FromSeconds(s);
                    i++;
                    break;
                default:
                    await Console.Error.WriteLineAsync($"usage: owner-death [--runs N] [--timeout SECONDS]; '{args[i]}' is not understood.").ConfigureAwait(false);
                    return 2;
            }
        }

        var probe = Containment.Probe();
        Console.WriteLine($"Owner-death latency: {runs} runs per mode; tree: /bin/sh -c '{OwnerDeathHost.Script}'; a process still alive {survivalLimit.TotalSeconds:0.#} s after the kill counts as a survivor.");
        Console.WriteLine($"Probe: cgroup available={probe.CgroupAvailable} mount={probe.CgroupMountPoint ?? "-"} warden={probe.WardenShell ?? "-"}");
        var summaries = new List<string>();
        foreach (var mode in new[] { ContainmentMode.Auto, ContainmentMode.ProcessGroup })
        {
            var samples = new List<Sample>();
            for (var run = 0; run < runs; run++)
            {
                var sample = await MeasureOnceAsync(mode, survivalLimit, probe.CgroupMountPoint).ConfigureAwait(false);
                samples.Add(sample);
                Console.WriteLine($"  {mode,-12} run {run + 1,3}: {sample}");
            }

            summaries.Add(Summarize(mode, samples));
        }

        Console.WriteLine();
        foreach (var summary in summaries)
        {
            Console.WriteLine(summary);
        }

        return 0;
    }

    private static async Task<Sample> MeasureOnceAsync(ContainmentMode mode, TimeSpan survivalLimit, string? cgroupMount)
    {
        using var host = Process.Start(HostStartInfo(mode)) ?? throw new InvalidOperationException("The owner-death host did not start.");
        var stderr = new StringBuilder();
        host.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (stderr)
                {
                    stderr.AppendLine(e.Data);
                }
            }
        };
        host.BeginErrorReadLine();

        string mechanism = "?";
        string? cgroup = null;
        int[] pids = [];
        using (var ready = new CancellationTokenSource(ReadyTimeout))
        {
            while (true)
            {
                string? line;
                try
                {
                    line = await host.StandardOutput.ReadLineAsync(ready.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    line = null;
                }

                if (line is null)
                {
                    host.Kill();
                    throw new InvalidOperationException($"The owner-death host ({mode}) never said ready. Its stderr:\n{stderr}");
                }

                if (line == "ready")
                {
                    break;
                }

                var (key, value) = line.IndexOf(' ', StringComparison.Ordinal) is var space and > 0 ? (line[..space], line[(space + 1)..]) : (line, "");
                switch (key)
                {
                    case "mechanism":
                        mechanism = value;
                        break;
                    case "cgroup":
                        cgroup = value == "-" ? null : value;
                        break;
                    case "pids":
                        pids = value.Split(' ').Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
                        break;
                }
            }
        }

        // The shell is the first pid; a descendant in another session escaped the process group.
        var shellSession = ProcStat.Read(pids[0])?.Session;
        var escaped = pids.Where(p => ProcStat.Read(p)?.Session != shellSession).ToHashSet();
        var deathTimes = new Dictionary<int, TimeSpan>();

        var clock = Stopwatch.StartNew();
        host.Kill(); // SIGKILL: no managed code of the host runs again
        while (deathTimes.Count < pids.Length && clock.Elapsed < survivalLimit)
        {
            foreach (var pid in pids)
            {
                if (!deathTimes.ContainsKey(pid) && ProcStat.IsDead(pid))
                {
                    deathTimes[pid] = clock.Elapsed;
                }
            }

            if (deathTimes.Count < pids.Length)
            {
                Thread.Sleep(1);
            }
        }

        var survivors = pids.Where(p => !deathTimes.ContainsKey(p)).ToArray();
        foreach (var pid in survivors)
        {
            KillSurvivor(pid);
        }

        await host.WaitForExitAsync().ConfigureAwait(false);

        // Did someone remove the run's cgroup leaf once the tree was gone?
        bool? leafRemoved = null;
        if (cgroup is not null && cgroupMount is not null && mechanism == nameof(ContainmentMechanism.Cgroup))
        {
            // The leaf and the per-host directory that holds it (tether-HOSTPID) should both be gone.
            var leaf = cgroupMount.TrimEnd('/') + cgroup;
            var hostDirectory = Path.GetDirectoryName(leaf)!;
            var leafClock = Stopwatch.StartNew();
            while ((Directory.Exists(leaf) || Directory.Exists(hostDirectory)) && leafClock.Elapsed < TimeSpan.FromSeconds(2))
            {
                Thread.Sleep(1);
            }

            leafRemoved = !Directory.Exists(leaf) && !Directory.Exists(hostDirectory);
        }

        return new Sample(
            mechanism,
            pids.Length,
            survivors.Length == 0 ? deathTimes.Values.Max() : null,
            pids.Where(p => !escaped.Contains(p)).All(deathTimes.ContainsKey) ? pids.Where(p => !escaped.Contains(p)).Max(p => deathTimes[p]) : null,
            survivors,
            leafRemoved);
    }

    private static void KillSurvivor(int pid)
    {
        try
        {
            using var survivor = Process.GetProcessById(pid);
            survivor.Kill();
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            // Gone in the meantime.
        }
    }

    private static ProcessStartInfo HostStartInfo(ContainmentMode mode)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("Cannot tell which executable is running this benchmark.");
        var info = new ProcessStartInfo(self)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            info.ArgumentList.Add(typeof(OwnerDeathMeasurement).Assembly.Location);
        }

        info.ArgumentList.Add("owner-death-host");
        info.ArgumentList.Add(mode.ToString());
        return info;
    }

    private static string Summarize(ContainmentMode mode, List<Sample> samples)
    {
        var mechanisms = string.Join("/", samples.Select(s => s.Mechanism).Distinct());
        var builder = new StringBuilder();
        builder.Append(CultureInfo.InvariantCulture, $"{mode} (mechanism {mechanisms}), {samples.Count} runs: ");
        var all = samples.Where(s => s.AllDead is not null).Select(s => s.AllDead!.Value).ToList();
        builder.Append(all.Count > 0 ? $"whole tree dead after {Stats(all)}" : "the whole tree never died");
        var survivorRuns = samples.Count(s => s.Survivors.Length > 0);
        if (survivorRuns > 0)
        {
            var inGroup = samples.Where(s => s.GroupDead is not null).Select(s => s.GroupDead!.Value).ToList();
            builder.Append(CultureInfo.InvariantCulture, $"; {survivorRuns} run(s) left survivors (killed by the benchmark afterwards)");
            if (inGroup.Count > 0)
            {
                builder.Append(CultureInfo.InvariantCulture, $"; process-group members dead after {Stats(inGroup)}");
            }
        }

        var leafRuns = samples.Where(s => s.LeafRemoved is not null).ToList();
        if (leafRuns.Count > 0)
        {
            builder.Append(CultureInfo.InvariantCulture, $"; cgroup leaf and host directory removed within 2 s in {leafRuns.Count(s => s.LeafRemoved == true)}/{leafRuns.Count} runs");
        }

        return builder.ToString();
    }

    private static string Stats(List<TimeSpan> values)
    {
        var sorted = values.Order().ToList();
        var median = sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
        return string.Create(CultureInfo.InvariantCulture, $"min {Ms(sorted[0])} / median {Ms(median)} / max {Ms(sorted[^1])} (n={sorted.Count})");
    }

    private static string Ms(TimeSpan value) => string.Create(CultureInfo.InvariantCulture, $"{value.TotalMilliseconds:0.0} ms");

    private sealed record Sample(string Mechanism, int Processes, TimeSpan? AllDead, TimeSpan? GroupDead, int[] Survivors, bool? LeafRemoved)
    {
        public override string ToString() =>
            $"mechanism {Mechanism}; {Processes} processes; " +
            (AllDead is { } a ? $"all dead after {Ms(a)}" : $"SURVIVORS {string.Join(",", Survivors)}" + (GroupDead is { } g ? $" (group members dead after {Ms(g)})" : "")) +
            (LeafRemoved is { } l ? $"; cgroup leaf+host dir {(l ? "removed" : "LEFT BEHIND")}" : "");
    }
}
