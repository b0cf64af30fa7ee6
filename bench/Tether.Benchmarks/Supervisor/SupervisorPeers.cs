using System.Diagnostics;
using System.Globalization;

namespace Tether.Benchmarks.Supervisor;

/// <summary>
/// <c>supervisor-peers --tether PATH [--rounds N] [--idle SECONDS]</c>: the same ten-service workload
/// (<see cref="SupervisorWorkload"/>) under supervisord, pm2 and <c>tether up</c>, side by side, interleaved by round:
/// time until every service's process runs, the daemon's resident memory and idle CPU, and how many workload processes
/// (of the twelve: ten services, the setsid child and the grandchild) are still alive one second after the daemon is
/// SIGKILLed and one second after a graceful stop (SIGTERM to supervisord and to `tether up`, `pm2 kill`). Idle CPU is
/// read from /proc in clock ticks (10 ms), so the idle window should be long (30 s by default). The peers are
/// installed by <c>install-peers.sh</c> beside this file (run first if they are missing).
/// </summary>
internal static class SupervisorPeers
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    public static async Task<int> RunAsync(string[] args)
    {
        string? tether = null;
        var rounds = 3;
        var idle = TimeSpan.FromSeconds(30);
        string[]? only = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--tether" when i + 1 < args.Length:
                    tether = Path.GetFullPath(args[++i]);
                    break;
                case "--rounds" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var n) && n > 0:
                    rounds = n;
                    i++;
                    break;
                case "--idle" when i + 1 < args.Length && double.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var s) && s > 0:
                    idle = TimeSpan.FromSeconds(s);
                    i++;
                    break;
                case "--only" when i + 1 < args.Length:
                    only = args[++i].Split(',');
                    break;
                default:
                    await Console.Error.WriteLineAsync($"usage: supervisor-peers --tether PATH [--rounds N] [--idle SECONDS] [--only supervisord,pm2,tether]; '{args[i]}' is not understood.").ConfigureAwait(false);
                    return 2;
            }
        }

        var pm2 = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "Supervisor", ".peers", "node_modules", ".bin", "pm2");
        pm2 = Path.GetFullPath(File.Exists(pm2) ? pm2 : Path.Combine(Directory.GetCurrentDirectory(), "bench", "Tether.Benchmarks", "Supervisor", ".peers", "node_modules", ".bin", "pm2"));
        if ((only is null || only.Contains("tether")) && (tether is null || !File.Exists(tether)))
        {
            await Console.Error.WriteLineAsync("supervisor-peers needs --tether PATH: the native tether (see README).").ConfigureAwait(false);
            return 2;
        }

        if ( !File.Exists(pm2) || !File.Exists("/usr/bin/supervisord"))
        {
            await Console.Error.WriteLineAsync("supervisor-peers needs --tether PATH (the native tether), supervisord and pm2: run bench/Tether.Benchmarks/Supervisor/install-peers.sh first.").ConfigureAwait(false);
            return 2;
        }

        if (SupervisorWorkload.KillLeftovers() > 0)
        {
            await Console.Error.WriteLineAsync("Workload processes from an earlier run were alive and have been killed.").ConfigureAwait(false);
        }

        Contender[] contenders = [.. new Contender[] { new Supervisord(), new Pm2(pm2), new TetherUp(tether ?? "tether") }
            .Where(c => only is null || only.Any(o => c.Name.StartsWith(o, StringComparison.Ordinal)))];
        var results = contenders.ToDictionary(c => c.Name, _ => new List<Measurement>());
        Console.WriteLine($"Ten services (8 sleeps, python3 http.server, a setsid child + a double-forked grandchild); {rounds} rounds, interleaved; idle CPU over {idle.TotalSeconds:0} s.");
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var contender in contenders)
            {
                var measurement = await MeasureAsync(contender, idle).ConfigureAwait(false);
                results[contender.Name].Add(measurement);
                Console.WriteLine($"round {round} {contender.Name,-12} {measurement}");
            }
        }

        Console.WriteLine();
        Console.WriteLine("| supervisor | all running (median) | RSS of the daemon | idle CPU (share of a core) | alive 1 s after SIGKILL of the daemon | alive 1 s after a graceful stop |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var contender in contenders)
        {
            var m = results[contender.Name];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {contender.Name} | {Median(m.Select(x => x.AllRunning.TotalSeconds)):0.000} s | {Median(m.Select(x => x.RssBytes / 1048576.0)):0.0} MB | {Median(m.Select(x => x.IdleCpu * 100)):0.000}% | {m.Max(x => x.AliveAfterKill)} of {SupervisorWorkload.Markers.Length} | {m.Max(x => x.AliveAfterStop)} of {SupervisorWorkload.Markers.Length} |"));
        }

        return 0;
    }

    private static async Task<Measurement> MeasureAsync(Contender contender, TimeSpan idle)
    {
        var directory = Directory.CreateTempSubdirectory("tether-peers-").FullName;
        try
        {
            contender.Prepare(directory);
            var clock = Stopwatch.StartNew();
            var daemon = await contender.StartAsync(directory).ConfigureAwait(false);
            var allRunning = await WaitAllRunningAsync(clock).ConfigureAwait(false);
            await Task.Delay(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            var rss = Rss(daemon);
            var before = CpuTicks(daemon);
            var idleClock = Stopwatch.StartNew();
            await Task.Delay(idle).ConfigureAwait(false);
            var cpu = (CpuTicks(daemon) - before) / 100.0 / idleClock.Elapsed.TotalSeconds; // USER_HZ is 100 on Linux

            Signal(daemon, "KILL");
            await Task.Delay(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            var afterKill = Count(SupervisorWorkload.Alive());
            contender.Cleanup(directory);
            SupervisorWorkload.KillLeftovers();
            await Task.Delay(TimeSpan.FromMilliseconds(200)).ConfigureAwait(false);

            contender.Prepare(directory);
            var second = await contender.StartAsync(directory).ConfigureAwait(false);
            await WaitAllRunningAsync(Stopwatch.StartNew()).ConfigureAwait(false);
            await Task.Delay(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            await contender.StopAsync(directory, second).ConfigureAwait(false);
            await WaitExitAsync(second, TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            await Task.Delay(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            var afterStop = Count(SupervisorWorkload.Alive());
            contender.Cleanup(directory);
            SupervisorWorkload.KillLeftovers();
            return new Measurement(allRunning, rss, cpu, afterKill, afterStop);
        }
        finally
        {
            SupervisorWorkload.KillLeftovers();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<TimeSpan> WaitAllRunningAsync(Stopwatch clock)
    {
        while (clock.Elapsed < StartTimeout)
        {
            if (SupervisorWorkload.Alive().Count == SupervisorWorkload.Markers.Length)
            {
                return clock.Elapsed;
            }

            await Task.Delay(5).ConfigureAwait(false);
        }

        throw new TimeoutException($"Not every service ran within {StartTimeout.TotalSeconds} s; alive: {string.Join(", ", SupervisorWorkload.Alive().Keys)}.");
    }

    private static async Task WaitExitAsync(int pid, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!OwnerDeath.ProcStat.IsDead(pid) && clock.Elapsed < timeout)
        {
            await Task.Delay(10).ConfigureAwait(false);
        }
    }

    private static int Count(Dictionary<string, List<int>> alive) => alive.Values.Sum(p => p.Count);

    private static long Rss(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }

    private static long CpuTicks(int pid)
    {
        var text = File.ReadAllText($"/proc/{pid}/stat");
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    internal static void Signal(int pid, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, pid.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        kill.WaitForExit();
    }

    internal static int Run(string program, IEnumerable<string> arguments, string directory, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program, arguments) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode;
    }

    /// <summary>Starts <paramref name="program"/> detached from our pipes (its output to files), returning its pid.</summary>
    internal static int Launch(string program, IEnumerable<string> arguments, string directory)
    {
        var script = "exec \"$0\" \"$@\" >\"" + Path.Combine(directory, "daemon.out") + "\" 2>&1 </dev/null";
        var start = new ProcessStartInfo("/bin/sh", ["-c", script, program, .. arguments]) { WorkingDirectory = directory, UseShellExecute = false };
        using var process = Process.Start(start)!;
        return process.Id;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private sealed record Measurement(TimeSpan AllRunning, long RssBytes, double IdleCpu, int AliveAfterKill, int AliveAfterStop)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"all running {AllRunning.TotalSeconds:0.000} s, RSS {RssBytes / 1048576.0:0.0} MB, idle CPU {IdleCpu * 100:0.000}%, alive after SIGKILL {AliveAfterKill}, after a graceful stop {AliveAfterStop}");
    }

    private abstract class Contender
    {
        public abstract string Name { get; }

        public abstract void Prepare(string directory);

        /// <summary>Starts the supervisor with the workload; returns the daemon's pid.</summary>
        public abstract Task<int> StartAsync(string directory);

        public abstract Task StopAsync(string directory, int daemon);

        public virtual void Cleanup(string directory)
        {
        }
    }

    private sealed class Supervisord : Contender
    {
        public override string Name => "supervisord";

        public override void Prepare(string directory) => File.WriteAllText(Path.Combine(directory, "supervisord.conf"), SupervisorWorkload.SupervisordConf(directory));

        public override Task<int> StartAsync(string directory) =>
            Task.FromResult(Launch("/usr/bin/supervisord", ["-n", "-c", Path.Combine(directory, "supervisord.conf")], directory));

        public override Task StopAsync(string directory, int daemon)
        {
            Signal(daemon, "TERM"); // what `supervisorctl shutdown` asks for
            return Task.CompletedTask;
        }
    }

    private sealed class Pm2(string pm2) : Contender
    {
        public override string Name => "pm2";

        public override void Prepare(string directory) => File.WriteAllText(Path.Combine(directory, "ecosystem.config.js"), SupervisorWorkload.Pm2Ecosystem());

        public override async Task<int> StartAsync(string directory)
        {
            Run(pm2, ["start", "ecosystem.config.js"], directory, Environment(directory));
            var pidFile = Path.Combine(directory, "pm2", "pm2.pid");
            for (var i = 0; i < 1000 && !File.Exists(pidFile); i++)
            {
                await Task.Delay(10).ConfigureAwait(false);
            }

            return int.Parse(File.ReadAllText(pidFile).Trim(), CultureInfo.InvariantCulture);
        }

        public override Task StopAsync(string directory, int daemon)
        {
            Run(pm2, ["kill"], directory, Environment(directory));
            return Task.CompletedTask;
        }

        public override void Cleanup(string directory) => Run(pm2, ["kill"], directory, Environment(directory));

        private static Dictionary<string, string> Environment(string directory) => new() { ["PM2_HOME"] = Path.Combine(directory, "pm2") };
    }

    private sealed class TetherUp(string tether) : Contender
    {
        public override string Name => "tether up";

        public override void Prepare(string directory) => File.WriteAllText(Path.Combine(directory, "tether.yaml"), SupervisorWorkload.TetherYaml());

        public override Task<int> StartAsync(string directory) => Task.FromResult(Launch(tether, ["up"], directory));

        public override Task StopAsync(string directory, int daemon)
        {
            Signal(daemon, "TERM");
            return Task.CompletedTask;
        }
    }
}
