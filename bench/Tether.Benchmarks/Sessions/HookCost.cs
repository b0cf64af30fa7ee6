using System.Diagnostics;
using System.Globalization;
using System.Text;
using Tether.Sessions;
using static Tether.Benchmarks.BenchArguments;

namespace Tether.Benchmarks.Sessions;

/// <summary>
/// <c>rec-hook-cost [--commands N] [--rounds R]</c>: what the recording hooks cost per command in real bash. Each round
/// runs an interactive bash (<c>--norc --noprofile -i</c>, commands on stdin) three ways, interleaved so load touches all
/// alike: without hooks, with the hooks loaded but not recording, and recording (the hooks' active file present, so
/// every command is written to the spool). The per-command cost is the median run time minus the median run without
/// hooks, divided by N. Issue 6's targets: nothing measurable when not recording; under 5 ms per command when recording.
/// </summary>
internal static class HookCost
{
    public static async Task<int> RunAsync(string[] args)
    {
        var commands = Option(args, "--commands", 1000);
        var rounds = Option(args, "--rounds", 7);
        var state = Directory.CreateTempSubdirectory("tether-hook-cost-").FullName;
        try
        {
            var hooks = ShellHooks.Script(ShellKind.Bash, state);
            var body = string.Concat(Enumerable.Repeat(":\n", commands));
            var plain = body + "exit\n";
            var idle = hooks + "\n" + body + "exit\n";
            var recording = hooks + "\ntouch \"$__tether_rec_dir/$__tether_rec_key.active\"\n" + body + "rm -f \"$__tether_rec_dir/$__tether_rec_key.active\"\nexit\n";

            var times = new Dictionary<string, List<double>> { ["no hooks"] = [], ["hooks, not recording"] = [], ["hooks, recording"] = [] };
            for (var round = 0; round < rounds + 1; round++)
            {
                foreach (var spool in Directory.GetFiles(state, "*.spool"))
                {
                    File.Delete(spool);
                }

                var t0 = await TimeAsync(plain);
                var t1 = await TimeAsync(idle);
                var t2 = await TimeAsync(recording);
                if (round == 0)
                {
                    // Warm-up round; it also checks that recording really wrote every command.
                    var lines = Directory.GetFiles(state, "*.spool").Sum(f => File.ReadAllLines(f).Count(l => l.StartsWith('B')));
                    if (lines < commands)
                    {
                        Console.WriteLine(Invariant($"rec-hook-cost: recording wrote {lines} of {commands} commands to the spool; the measurement is not valid"));
                        return 1;
                    }

                    continue;
                }

                times["no hooks"].Add(t0);
                times["hooks, not recording"].Add(t1);
                times["hooks, recording"].Add(t2);
            }

            var baseline = Median(times["no hooks"]);
            Console.WriteLine(Invariant($"rec-hook-cost: bash {BashVersion()}, {commands:N0} commands per run, {rounds} rounds (median run time; per-command cost over the run without hooks)"));
            foreach (var (name, list) in times)
            {
                var median = Median(list);
                Console.WriteLine(Invariant($"  {name,-22} {median,8:F1} ms   {(median - baseline) / commands * 1000,7:F1} µs per command"));
            }

            var idleCost = (Median(times["hooks, not recording"]) - baseline) / commands;
            var recordingCost = (Median(times["hooks, recording"]) - baseline) / commands;
            Console.WriteLine(Invariant($"  verdict: recording {recordingCost * 1000:F0} µs per command {(recordingCost < 5 ? "< 5 ms: met" : "≥ 5 ms: missed")}; not recording {idleCost * 1000:F0} µs per command"));
            return 0;
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }

    private static async Task<double> TimeAsync(string script)
    {
        var command = new Command("/bin/bash").WithArguments("--norc", "--noprofile", "-i").WithStdin(script)
            .WithEnvironmentVariable("HISTFILE", "/dev/null").WithTimeout(TimeSpan.FromMinutes(2));
        var started = Stopwatch.GetTimestamp();
        var result = await ProcessRunner.Default.OutputStringAsync(command);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (!result.IsSuccess)
        {
            throw new InvalidOperationException($"bash failed: {result.Outcome}: {result.Stderr[..Math.Min(500, result.Stderr.Length)]}");
        }

        return elapsed;
    }

    private static string BashVersion()
    {
        var info = new StringBuilder();
        try
        {
            info.Append(ProcessRunner.Default.RunAsync(new Command("/bin/bash").WithArguments("-c", "echo $BASH_VERSION")).GetAwaiter().GetResult());
        }
        catch (TetherException)
        {
            info.Append('?');
        }

        return info.ToString();
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
