using System.Diagnostics;
using System.Globalization;
using Tether.Benchmarks.Contenders;

namespace Tether.Benchmarks;

/// <summary>
/// <c>interleaved [--rounds N]</c>: the four scenarios again, but round-robin: every round runs each contender once,
/// in a rotating order, so a background load that comes and goes (a shared 2-core machine) hits every contender alike.
/// A full GC runs before each timed operation (outside the timing). Reports each contender's median time and the
/// median of its per-round ratio to Process (a paired comparison).
/// </summary>
internal static class Interleaved
{
    public static async Task<int> RunAsync(string[] args)
    {
        var rounds = args is ["--rounds", var n] && int.TryParse(n, CultureInfo.InvariantCulture, out var parsed) && parsed > 0 ? parsed : 400;
        var input = new byte[64 * 1024 * 1024];
        new Random(20240229).NextBytes(input);

        Console.WriteLine($"Interleaved comparison: {rounds} rounds for the short scenarios, {Math.Max(10, rounds / 20)} for 64 MiB; each contender once per round, rotating order.");
        await CompareAsync("spawn and wait (/bin/true)", rounds,
        [
            ("Process", () => ProcessContender.ExitCodeAsync("/bin/true")),
            ("MedallionShell", () => MedallionContender.ExitCodeAsync("/bin/true")),
            ("Tether Auto", () => TetherContender.ExitCodeAsync(ContainmentMode.Auto, "/bin/true")),
            ("Tether ProcessGroup", () => TetherContender.ExitCodeAsync(ContainmentMode.ProcessGroup, "/bin/true")),
        ]).ConfigureAwait(false);
        await CompareAsync("small capture (/bin/echo hello)", rounds,
        [
            ("Process", () => ProcessContender.OutputStringAsync("/bin/echo", "hello")),
            ("MedallionShell", () => MedallionContender.OutputStringAsync("/bin/echo", "hello")),
            ("Tether Auto", () => TetherContender.OutputStringAsync(ContainmentMode.Auto, "/bin/echo", "hello")),
            ("Tether ProcessGroup", () => TetherContender.OutputStringAsync(ContainmentMode.ProcessGroup, "/bin/echo", "hello")),
        ]).ConfigureAwait(false);
        await CompareAsync("64 MiB through cat", Math.Max(10, rounds / 20),
        [
            ("Process", () => ProcessContender.OutputBytesAsync("/bin/cat", input, 64 * 1024)),
            ("MedallionShell", () => MedallionContender.OutputBytesAsync("/bin/cat", input)),
            ("Tether Auto", () => TetherContender.OutputBytesAsync(ContainmentMode.Auto, "/bin/cat", input, 2L * input.Length)),
            ("Tether ProcessGroup", () => TetherContender.OutputBytesAsync(ContainmentMode.ProcessGroup, "/bin/cat", input, 2L * input.Length)),
        ]).ConfigureAwait(false);
        await CompareAsync("16 concurrent children", Math.Max(10, rounds / 10),
        [
            ("Process", () => AllAsync(() => ProcessContender.ExitCodeAsync("/bin/true"))),
            ("MedallionShell", () => AllAsync(() => MedallionContender.ExitCodeAsync("/bin/true"))),
            ("Tether Auto", () => AllAsync(() => TetherContender.ExitCodeAsync(ContainmentMode.Auto, "/bin/true"))),
            ("Tether ProcessGroup", () => AllAsync(() => TetherContender.ExitCodeAsync(ContainmentMode.ProcessGroup, "/bin/true"))),
        ]).ConfigureAwait(false);
        return 0;
    }

    internal static async Task CompareAsync<T>(string scenario, int rounds, (string Name, Func<Task<T>> Run)[] contenders)
    {
        // Warm up every contender (JIT, pools, the warden, the cgroup gate) before timing.
        for (var i = 0; i < 3; i++)
        {
            foreach (var (_, run) in contenders)
            {
                await run().ConfigureAwait(false);
            }
        }

        var times = contenders.Select(_ => new List<double>(rounds)).ToArray();
        for (var round = 0; round < rounds; round++)
        {
            for (var k = 0; k < contenders.Length; k++)
            {
                var index = (round + k) % contenders.Length;

                // As BenchmarkDotNet does before each iteration: no contender pays for the previous one's garbage.
                GC.Collect();
                GC.WaitForPendingFinalizers();
                var clock = Stopwatch.StartNew();
                await contenders[index].Run().ConfigureAwait(false);
                times[index].Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        Console.WriteLine();
        Console.WriteLine($"{scenario}:");
        var baseline = times[0];
        for (var k = 0; k < contenders.Length; k++)
        {
            var paired = times[k].Select((t, round) => t / baseline[round]).ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {contenders[k].Name,-20} median {Median(times[k]),9:0.000} ms   ratio of medians {Median(times[k]) / Median(baseline),5:0.00}   median paired ratio {Median(paired),5:0.00}"));
        }
    }

    internal static async Task<int> AllAsync(Func<Task<int>> runOne)
    {
        var runs = new Task<int>[16];
        for (var i = 0; i < runs.Length; i++)
        {
            runs[i] = runOne();
        }

        return (await Task.WhenAll(runs).ConfigureAwait(false)).Sum();
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
