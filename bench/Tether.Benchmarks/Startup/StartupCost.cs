using System.Diagnostics;
using System.Globalization;
using static Tether.Benchmarks.BenchArguments;

namespace Tether.Benchmarks.Startup;

/// <summary>
/// <c>startup --tether PATH [--runs N]</c>: what starting <c>tether</c> costs, as a user's shell sees it — the whole
/// process, hyperfine-style. Every command runs N times, interleaved round by round (each round in a rotated order) so
/// a background load touches all alike, after a warm-up round; each is started the same way (fork/exec, stdout and
/// stderr read to the end) and timed from start to exit. Issue 12's targets: <c>tether --version</c> ≤ 15 ms;
/// <c>tether run -- /bin/true</c> ≤ 2 × <c>/bin/true</c> + 10 ms; loading the recording hooks
/// (<c>eval "$(tether rec init bash)"</c>) adds ≤ 20 ms to an interactive bash's start. The same run in a process
/// group only shows what joining a cgroup costs.
/// </summary>
internal static class StartupCost
{
    public static async Task<int> RunAsync(string[] args)
    {
        var tether = ValueOf(args, "--tether");
        if (tether is null || !File.Exists(tether))
        {
            Console.Error.WriteLine("startup: give the tether binary to measure with --tether PATH (build it with the README's first command).");
            return 2;
        }

        tether = Path.GetFullPath(tether);
        var runs = Option(args, "--runs", 100);
        var state = Directory.CreateTempSubdirectory("tether-startup-").FullName;
        try
        {
            var hooks = $"eval \"$('{tether}' rec init bash)\"; exit";
            (string Name, string Program, string[] Arguments)[] commands =
            [
                ("/bin/true", "/bin/true", []),
                ("tether --version", tether, ["--version"]),
                ("tether run -- /bin/true", tether, ["run", "--", "/bin/true"]),
                ("  … --containment process-group", tether, ["run", "--containment", "process-group", "--", "/bin/true"]),
                ("tether rec init bash", tether, ["rec", "init", "bash"]),
                ("bash -i -c exit", "/bin/bash", ["--norc", "--noprofile", "-i", "-c", "exit"]),
                ("bash -i + rec init hooks", "/bin/bash", ["--norc", "--noprofile", "-i", "-c", hooks]),
            ];

            var times = commands.Select(_ => new List<double>()).ToArray();
            for (var round = 0; round <= runs; round++)
            {
                for (var k = 0; k < commands.Length; k++)
                {
                    var i = (k + round) % commands.Length;
                    var elapsed = await TimeAsync(commands[i].Program, commands[i].Arguments, state);
                    if (round > 0)
                    {
                        times[i].Add(elapsed);
                    }
                }
            }

            Console.WriteLine(Invariant($"startup: {tether}, {runs} runs each, interleaved ({Environment.ProcessorCount} cores)"));
            Console.WriteLine("  command                          min ms   median ms   p90 ms");
            for (var i = 0; i < commands.Length; i++)
            {
                var sorted = times[i].Order().ToArray();
                Console.WriteLine(Invariant($"  {commands[i].Name,-30} {sorted[0],7:F2}   {Median(sorted),9:F2}   {sorted[(int)(sorted.Length * 0.9)],6:F2}"));
            }

            var trueMedian = Median(Sorted(times[0]));
            var version = Median(Sorted(times[1]));
            var run = Median(Sorted(times[2]));
            var hookCost = Median(Sorted(times[6])) - Median(Sorted(times[5]));
            var runLimit = (2 * trueMedian) + 10;
            Console.WriteLine(Invariant($"  verdict: tether --version {version:F1} ms {(version <= 15 ? "≤ 15 ms: met" : "> 15 ms: missed")}"));
            Console.WriteLine(Invariant($"  verdict: tether run -- /bin/true {run:F1} ms {(run <= runLimit ? "≤" : ">")} 2 × {trueMedian:F1} + 10 = {runLimit:F1} ms: {(run <= runLimit ? "met" : "missed")}"));
            Console.WriteLine(Invariant($"  verdict: rec init hooks add {hookCost:F1} ms to bash -i {(hookCost <= 20 ? "≤ 20 ms: met" : "> 20 ms: missed")}"));
            return 0;
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }

    private static async Task<double> TimeAsync(string program, string[] arguments, string state)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The hooks' state goes to a directory of the run's own, never the user's.
        start.Environment["TETHER_REC_DIR"] = state;
        start.Environment["HISTFILE"] = "/dev/null";

        var started = Stopwatch.GetTimestamp();
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await Task.WhenAll(stdout, stderr);
        await process.WaitForExitAsync();
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited {process.ExitCode}: {(await stderr).Trim()}");
        }

        return elapsed;
    }

    private static double[] Sorted(List<double> values) => [.. values.Order()];

    private static double Median(double[] sorted) =>
        sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
}
