using System.Diagnostics;
using System.Globalization;

namespace Tether.Benchmarks.Passthrough;

/// <summary>
/// <c>cli-passthrough [--rounds N] [--tether PATH]</c>: how fast <c>tether run</c> passes a program's output through,
/// against the same pipeline without tether, as whole processes with stdout on <c>/dev/null</c>. Each round runs every
/// pipeline bare, through <c>tether run</c>, <c>tether run --journal DIR</c> and <c>tether run --idle-timeout 10m</c>,
/// interleaved so that a background load touches all alike, plus <c>sh -c true</c> bare and through tether for the
/// start-up. The ratio is throughput (bare time / tether time, medians): 1.00 is pipe speed. The "net of start-up"
/// column takes tether's own start-up (the median of <c>tether run -- true</c> minus <c>sh -c true</c>) out, which is
/// what a native build shrinks; issue 12's targets: ≥ 0.9 plain, ≥ 0.8 with --journal or --idle-timeout.
/// </summary>
internal static class CliPassthrough
{
    private static readonly (string Name, string Script)[] Pipelines =
    [
        ("200 MB of 2-byte lines", "yes | head -c 200000000"),
        ("200 MB of 4 KiB lines", "yes \"$(head -c 4095 /dev/zero | tr '\\0' x)\" | head -c 200000000"),
        ("1 GiB binary", "head -c 1073741824 /dev/zero"),
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        var rounds = int.Parse(Option(args, "--rounds") ?? "5", CultureInfo.InvariantCulture);
        var tether = Option(args, "--tether") ?? DefaultTether();
        if (!File.Exists(tether))
        {
            Console.WriteLine($"cli-passthrough: no tether at '{tether}': build it (dotnet build src/Tether.Cli -c Release) or pass --tether PATH.");
            return 1;
        }

        var journal = Directory.CreateTempSubdirectory("tether-passthrough-").FullName;
        try
        {
            var variants = new (string Name, string Options)[] { ("tether run", ""), ("--journal", $"--journal '{journal}/j' "), ("--idle-timeout", "--idle-timeout 10m ") };
            var times = new Dictionary<string, List<double>>();
            void Add(string key, double ms) => (times.TryGetValue(key, out var list) ? list : times[key] = []).Add(ms);

            for (var round = 0; round <= rounds; round++)
            {
                var record = round > 0; // round 0 warms the page cache and the tool up
                var bareTrue = await TimeAsync("true");
                var tetherTrue = await TimeAsync($"'{tether}' run -- true");
                if (record)
                {
                    Add("start-up|bare", bareTrue);
                    Add("start-up|tether", tetherTrue);
                }

                foreach (var (name, script) in Pipelines)
                {
                    var bare = await TimeAsync($"{{ {script}; }} > /dev/null");
                    if (record)
                    {
                        Add($"{name}|bare", bare);
                    }

                    foreach (var (variant, options) in variants)
                    {
                        var through = await TimeAsync($"'{tether}' run {options}-- /bin/sh -c '{script.Replace("'", "'\\''", StringComparison.Ordinal)}' > /dev/null");
                        if (record)
                        {
                            Add($"{name}|{variant}", through);
                        }
                    }
                }
            }

            var startup = Median(times["start-up|tether"]) - Median(times["start-up|bare"]);
            Console.WriteLine(Invariant($"cli-passthrough: {tether}, {rounds} rounds, medians; tether start-up {startup:F0} ms (tether run -- true {Median(times["start-up|tether"]):F0} ms, sh -c true {Median(times["start-up|bare"]):F0} ms)"));
            Console.WriteLine("| pipeline | bare | tether run | ratio | net of start-up | --journal | ratio (net) | --idle-timeout | ratio (net) |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
            foreach (var (name, _) in Pipelines)
            {
                var bare = Median(times[$"{name}|bare"]);
                var cells = new List<string> { name, Invariant($"{bare:F0} ms") };
                foreach (var (variant, _) in variants)
                {
                    var through = Median(times[$"{name}|{variant}"]);
                    var net = bare / Math.Max(through - startup, 1);
                    cells.Add(Invariant($"{through:F0} ms"));
                    cells.Add(variant == "tether run" ? Invariant($"{bare / through:F2}") : Invariant($"{bare / through:F2} ({net:F2})"));
                    if (variant == "tether run")
                    {
                        cells.Add(Invariant($"{net:F2}"));
                    }
                }

                Console.WriteLine("| " + string.Join(" | ", cells) + " |");
            }

            return 0;
        }
        finally
        {
            Directory.Delete(journal, recursive: true);
        }
    }

    /// <summary>Runs <paramref name="script"/> in <c>/bin/sh</c> and returns its wall time in milliseconds.</summary>
    private static async Task<double> TimeAsync(string script)
    {
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardError = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        var started = Stopwatch.GetTimestamp();
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{script}' failed with exit code {process.ExitCode}: {await stderr}");
        }

        return elapsed;
    }

    /// <summary>The JIT-built tool of this checkout: src/Tether.Cli/bin/Release/net10.0/Tether.Cli.</summary>
    private static string DefaultTether()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Tether.slnx")))
        {
            directory = directory.Parent;
        }

        return Path.Combine(directory?.FullName ?? ".", "src", "Tether.Cli", "bin", "Release", "net10.0", "Tether.Cli");
    }

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
