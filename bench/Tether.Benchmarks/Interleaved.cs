using System.Diagnostics;
using System.Globalization;
using Tether.Benchmarks.Contenders;

namespace Tether.Benchmarks;

/// <summary>
/// <c>interleaved [--rounds N] [--scenario TEXT]</c>: the process scenarios again (those whose name contains TEXT), but round-robin: every round runs each contender once,
/// in a rotating order, so a background load that comes and goes (a shared 2-core machine) hits every contender alike.
/// A full GC runs before each timed operation (outside the timing). Reports each contender's median time and the
/// median of its per-round ratio to Process (a paired comparison).
/// </summary>
internal static class Interleaved
{
    public static async Task<int> RunAsync(string[] args)
    {
        var rounds = Option(args, "--rounds") is { } n && int.TryParse(n, CultureInfo.InvariantCulture, out var parsed) && parsed > 0 ? parsed : 400;
        var only = Option(args, "--scenario");
        var input = new byte[64 * 1024 * 1024];
        new Random(20240229).NextBytes(input);
        string[] zeros = ["-c", "67108864", "/dev/zero"];
        string[] million = ["1", "1000000"];

        Console.WriteLine($"Interleaved comparison: {rounds} rounds for the short scenarios, {Math.Max(10, rounds / 20)} for the large ones; each contender once per round, rotating order.");
        var scenarios = new (string Name, int Rounds, Func<Task> Compare)[]
        {
            ("spawn and wait (/bin/true)", rounds, () => CompareAsync("spawn and wait (/bin/true)", rounds,
            [
                ("Process", () => ProcessContender.ExitCodeAsync("/bin/true")),
                ("CliWrap", () => CliWrapContender.ExitCodeAsync("/bin/true")),
                ("MedallionShell", () => MedallionContender.ExitCodeAsync("/bin/true")),
                ("Tether Auto", () => TetherContender.ExitCodeAsync(ContainmentMode.Auto, "/bin/true")),
                ("Tether ProcessGroup", () => TetherContender.ExitCodeAsync(ContainmentMode.ProcessGroup, "/bin/true")),
            ])),
            ("small capture (/bin/echo hello)", rounds, () => CompareAsync("small capture (/bin/echo hello)", rounds,
            [
                ("Process", () => ProcessContender.OutputStringAsync("/bin/echo", "hello")),
                ("CliWrap", () => CliWrapContender.OutputStringAsync("/bin/echo", "hello")),
                ("MedallionShell", () => MedallionContender.OutputStringAsync("/bin/echo", "hello")),
                ("Tether Auto", () => TetherContender.OutputStringAsync(ContainmentMode.Auto, "/bin/echo", "hello")),
                ("Tether ProcessGroup", () => TetherContender.OutputStringAsync(ContainmentMode.ProcessGroup, "/bin/echo", "hello")),
            ])),
            ("64 MiB through cat", Math.Max(10, rounds / 20), () => CompareAsync("64 MiB through cat", Math.Max(10, rounds / 20),
            [
                ("Process", () => ProcessContender.OutputBytesAsync("/bin/cat", input, input.Length)),
                ("CliWrap", () => CliWrapContender.OutputBytesAsync("/bin/cat", input, input.Length)),
                ("MedallionShell", () => MedallionContender.OutputBytesAsync("/bin/cat", input, input.Length)),
                ("Tether Auto", () => TetherContender.OutputBytesAsync(ContainmentMode.Auto, "/bin/cat", input, 2L * input.Length)),
                ("Tether ProcessGroup", () => TetherContender.OutputBytesAsync(ContainmentMode.ProcessGroup, "/bin/cat", input, 2L * input.Length)),
            ])),
            ("16 concurrent children", Math.Max(10, rounds / 10), () => CompareAsync("16 concurrent children", Math.Max(10, rounds / 10),
            [
                ("Process", () => AllAsync(() => ProcessContender.ExitCodeAsync("/bin/true"))),
                ("CliWrap", () => AllAsync(() => CliWrapContender.ExitCodeAsync("/bin/true"))),
                ("MedallionShell", () => AllAsync(() => MedallionContender.ExitCodeAsync("/bin/true"))),
                ("Tether Auto", () => AllAsync(() => TetherContender.ExitCodeAsync(ContainmentMode.Auto, "/bin/true"))),
                ("Tether ProcessGroup", () => AllAsync(() => TetherContender.ExitCodeAsync(ContainmentMode.ProcessGroup, "/bin/true"))),
            ])),
            ("passthrough (64 MiB of head -c /dev/zero to a stream)", Math.Max(10, rounds / 20), () => CompareAsync("passthrough (64 MiB of head -c /dev/zero to a stream)", Math.Max(10, rounds / 20),
            [
                ("Process", () => ProcessContender.PassthroughAsync(Stream.Null, "/usr/bin/head", zeros)),
                ("CliWrap", () => CliWrapContender.PassthroughAsync(Stream.Null, "/usr/bin/head", zeros)),
                ("MedallionShell", () => MedallionContender.PassthroughAsync(Stream.Null, "/usr/bin/head", zeros)),
                ("Tether Auto", () => TetherContender.PassthroughAsync(ContainmentMode.Auto, Stream.Null, "/usr/bin/head", zeros)),
                ("Tether ProcessGroup", () => TetherContender.PassthroughAsync(ContainmentMode.ProcessGroup, Stream.Null, "/usr/bin/head", zeros)),
            ])),
            ("1M short lines, line by line (seq 1 1000000)", Math.Max(10, rounds / 20), () => CompareAsync("1M short lines, line by line (seq 1 1000000)", Math.Max(10, rounds / 20),
            [
                ("Process", () => ProcessContender.CountLinesAsync("/usr/bin/seq", million)),
                ("CliWrap", () => CliWrapContender.CountLinesAsync("/usr/bin/seq", million)),
                ("MedallionShell", () => MedallionContender.CountLinesAsync("/usr/bin/seq", million)),
                ("Tether Auto", () => TetherContender.CountLinesAsync(ContainmentMode.Auto, "/usr/bin/seq", million)),
                ("Tether ProcessGroup", () => TetherContender.CountLinesAsync(ContainmentMode.ProcessGroup, "/usr/bin/seq", million)),
            ])),
            ("1M short lines, captured as one string (seq 1 1000000)", Math.Max(10, rounds / 20), () => CompareAsync("1M short lines, captured as one string (seq 1 1000000)", Math.Max(10, rounds / 20),
            [
                ("Process", () => ProcessContender.OutputStringAsync("/usr/bin/seq", million)),
                ("CliWrap", () => CliWrapContender.OutputStringAsync("/usr/bin/seq", million)),
                ("MedallionShell", () => MedallionContender.OutputStringAsync("/usr/bin/seq", million)),
                ("Tether Auto", () => TetherContender.OutputStringAsync(ContainmentMode.Auto, "/usr/bin/seq", million)),
                ("Tether ProcessGroup", () => TetherContender.OutputStringAsync(ContainmentMode.ProcessGroup, "/usr/bin/seq", million)),
            ])),
        };

        foreach (var (name, _, compare) in scenarios)
        {
            if (only is null || name.Contains(only, StringComparison.OrdinalIgnoreCase))
            {
                await compare().ConfigureAwait(false);
            }
        }

        return 0;
    }

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
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

        // Tether against every peer, each a paired comparison of its own: the lead table of docs/benchmarks.md.
        for (var k = 0; k < contenders.Length; k++)
        {
            if (!contenders[k].Name.StartsWith("Tether", StringComparison.Ordinal))
            {
                continue;
            }

            var against = Enumerable.Range(0, contenders.Length)
                .Where(peer => !contenders[peer].Name.StartsWith("Tether", StringComparison.Ordinal))
                .Select(peer => string.Create(CultureInfo.InvariantCulture, $"{contenders[peer].Name} {Median(times[k].Select((t, round) => t / times[peer][round]).ToList()):0.00}"));
            Console.WriteLine($"  {contenders[k].Name} / peer (median paired ratio; below 1 is faster): {string.Join(", ", against)}");
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
