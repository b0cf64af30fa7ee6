using System.Diagnostics;
using System.Globalization;
using static Tether.Benchmarks.BenchArguments;

namespace Tether.Benchmarks.Passthrough;

/// <summary>
/// <c>cli-passthrough [--rounds N] [--tether PATH]</c>: how fast <c>tether run</c> passes a program's output through,
/// against the same pipeline without tether, as whole processes with stdout on <c>/dev/null</c>. Each round runs every
/// pipeline bare, through <c>tether run</c>, <c>tether run --journal DIR</c> and <c>tether run --idle-timeout 10m</c>,
/// interleaved so that a background load touches all alike, plus <c>sh -c true</c> bare and through tether for the
/// start-up. Each pipeline runs in a script that times itself (<c>date +%s%N</c> around it, reported on stderr), so
/// the throughput ratio (bare pipeline time / the same pipeline's time under tether, medians; 1.00 is pipe speed)
/// is free of tether's start-up, which a native build shrinks and which is measured on its own; the whole-process
/// times are shown too. Each round also runs every pipeline bare and with <c>--idle-timeout</c> into a pipe that
/// <c>cat</c> drains, where a forwarded stdout moves pages from pipe to pipe. Issue 12's targets: ≥ 0.9 plain, ≥ 0.8
/// with --journal or --idle-timeout.
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
            var scripts = new string[Pipelines.Length];
            for (var i = 0; i < Pipelines.Length; i++)
            {
                scripts[i] = Path.Combine(journal, $"pipeline-{i}.sh");
                File.WriteAllText(scripts[i], $"s=$(date +%s%N); {Pipelines[i].Script}; e=$(date +%s%N); echo \"elapsed $((e - s))\" >&2\n");
            }

            var wall = new Dictionary<string, List<double>>();
            var inner = new Dictionary<string, List<double>>();
            static void Add(Dictionary<string, List<double>> times, string key, double ms) => (times.TryGetValue(key, out var list) ? list : times[key] = []).Add(ms);

            for (var round = 0; round <= rounds; round++)
            {
                var record = round > 0; // round 0 warms the page cache and the tool up
                var (bareTrue, _) = await TimeAsync("true");
                var (tetherTrue, _) = await TimeAsync($"'{tether}' run -- true");
                if (record)
                {
                    Add(wall, "start-up|bare", bareTrue);
                    Add(wall, "start-up|tether", tetherTrue);
                }

                for (var i = 0; i < Pipelines.Length; i++)
                {
                    var name = Pipelines[i].Name;
                    var (bare, bareInner) = await TimeAsync($"/bin/sh '{scripts[i]}' > /dev/null");
                    if (record)
                    {
                        Add(wall, $"{name}|bare", bare);
                        Add(inner, $"{name}|bare", bareInner!.Value);
                    }

                    foreach (var (variant, options) in variants)
                    {
                        var (through, throughInner) = await TimeAsync($"'{tether}' run {options}-- /bin/sh '{scripts[i]}' > /dev/null");
                        if (record)
                        {
                            Add(wall, $"{name}|{variant}", through);
                            Add(inner, $"{name}|{variant}", throughInner!.Value);
                        }
                    }

                    // The same with stdout a pipe that cat drains, as when tether's output is piped on: only the idle
                    // timeout's path differs from the bare pipeline there (plain runs hand the program that pipe).
                    var (_, pipedBare) = await TimeAsync($"/bin/sh '{scripts[i]}' | cat > /dev/null");
                    var (_, pipedIdle) = await TimeAsync($"'{tether}' run --idle-timeout 10m -- /bin/sh '{scripts[i]}' | cat > /dev/null");
                    if (record)
                    {
                        Add(inner, $"{name}|piped bare", pipedBare!.Value);
                        Add(inner, $"{name}|piped --idle-timeout", pipedIdle!.Value);
                    }
                }
            }

            Console.WriteLine(Invariant($"cli-passthrough: {tether}, {rounds} rounds, medians; tether run -- true {Median(wall["start-up|tether"]):F0} ms, sh -c true {Median(wall["start-up|bare"]):F0} ms"));
            Console.WriteLine("Throughput: the pipeline's own time (bare → under tether), and the ratio bare / under tether (1.00 = pipe speed):");
            Console.WriteLine("| pipeline | bare | tether run | ratio | --journal | ratio | --idle-timeout | ratio |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|");
            foreach (var (name, _) in Pipelines)
            {
                var bare = Median(inner[$"{name}|bare"]);
                var cells = new List<string> { name, Invariant($"{bare:F0} ms") };
                foreach (var (variant, _) in variants)
                {
                    var through = Median(inner[$"{name}|{variant}"]);
                    cells.Add(Invariant($"{through:F0} ms"));
                    cells.Add(Invariant($"{bare / through:F2}"));
                }

                Console.WriteLine("| " + string.Join(" | ", cells) + " |");
            }

            Console.WriteLine("Stdout a pipe (| cat > /dev/null): the pipeline's own time and the ratio:");
            Console.WriteLine("| pipeline | bare | --idle-timeout | ratio |");
            Console.WriteLine("|---|---|---|---|");
            foreach (var (name, _) in Pipelines)
            {
                var bare = Median(inner[$"{name}|piped bare"]);
                var through = Median(inner[$"{name}|piped --idle-timeout"]);
                Console.WriteLine(Invariant($"| {name} | {bare:F0} ms | {through:F0} ms | {bare / through:F2} |"));
            }

            Console.WriteLine("Whole process, start-up included (bare → tether):");
            Console.WriteLine("| pipeline | bare | tether run | --journal | --idle-timeout |");
            Console.WriteLine("|---|---|---|---|---|");
            foreach (var (name, _) in Pipelines)
            {
                var cells = new List<string> { name, Invariant($"{Median(wall[$"{name}|bare"]):F0} ms") };
                cells.AddRange(variants.Select(v => Invariant($"{Median(wall[$"{name}|{v.Name}"]):F0} ms")));
                Console.WriteLine("| " + string.Join(" | ", cells) + " |");
            }

            return 0;
        }
        finally
        {
            Directory.Delete(journal, recursive: true);
        }
    }

    /// <summary>
    /// Runs <paramref name="script"/> in <c>/bin/sh</c>; returns its wall time and, when it printed an
    /// <c>elapsed NANOSECONDS</c> line on stderr, that time, both in milliseconds.
    /// </summary>
    private static async Task<(double Wall, double? Inner)> TimeAsync(string script)
    {
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardError = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        var started = Stopwatch.GetTimestamp();
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var text = await stderr;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{script}' failed with exit code {process.ExitCode}: {text}");
        }

        var line = text.Split('\n').LastOrDefault(l => l.StartsWith("elapsed ", StringComparison.Ordinal));
        return (elapsed, line is null ? null : long.Parse(line["elapsed ".Length..], CultureInfo.InvariantCulture) / 1e6);
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
}
