using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Tether.Benchmarks.Telemetry;

/// <summary>
/// <c>telemetry-regression [--before REV] [--after REV] [--rounds N] [--block N] [--keep]</c>: whether instrumenting the
/// libraries slowed down a spawn or a journal append for a program that does not listen. It exports the two revisions'
/// <c>src/</c> from git into a temporary directory, builds the same small runner (<see cref="TelemetryLoop"/>, linked
/// into a project beside each tree) against each, and starts the two runners alternately, one child process per
/// revision per round, the order flipping every round, so a background load that comes and goes touches both alike.
/// It reports the medians of each revision's figures and the median of the per-round ratios (after / before).
/// The default <c>--before</c> is the parent of the two commits that added the spans and metrics (runs, then journal).
/// </summary>
internal static class TelemetryRegression
{
    /// <summary>The library before any of its spans and metrics: the parent of d3ff173 (runs) and 44d8f6e (journal).</summary>
    private const string Uninstrumented = "6dc9dc2";

    private static readonly TimeSpan BuildLimit = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan ChildLimit = TimeSpan.FromMinutes(5);

    public static async Task<int> RunAsync(string[] args)
    {
        var before = Option(args, "--before") ?? Uninstrumented;
        var after = Option(args, "--after") ?? "HEAD";
        var rounds = int.Parse(Option(args, "--rounds") ?? "20", CultureInfo.InvariantCulture);
        var block = int.Parse(Option(args, "--block") ?? "40", CultureInfo.InvariantCulture);
        var keep = args.Contains("--keep");

        var root = RepositoryRoot();
        var work = Path.Combine(Path.GetTempPath(), $"tether-telemetry-regression-{Environment.ProcessId}");
        Directory.CreateDirectory(work);
        try
        {
            var builds = new List<Build>();
            foreach (var (label, revision) in new[] { ("before", before), ("after", after) })
            {
                var commit = (await GitAsync(root, "rev-parse", "--verify", revision + "^{commit}")).Trim();
                var subject = (await GitAsync(root, "log", "-1", "--format=%s", commit)).Trim();
                Console.WriteLine($"{label}: {revision} = {commit[..10]} {Cut(subject, 90)}");
                var tree = Path.Combine(work, label);
                await ExportAsync(root, commit, tree);
                var runner = await BuildRunnerAsync(root, tree);
                builds.Add(new Build(label, commit, runner));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"started {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load average {LoadAverage()}; {rounds} rounds of one child per revision, {block} operations of each kind per child, order flipping every round"));
            var figures = builds.ToDictionary(b => b.Label, _ => new List<Figures>());
            for (var round = 0; round < rounds; round++)
            {
                foreach (var build in round % 2 == 0 ? builds : Enumerable.Reverse(builds))
                {
                    figures[build.Label].Add(await RunChildAsync(build.Runner, block));
                }
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ended   {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load average {LoadAverage()}"));
            Print(figures["before"], figures["after"]);
            return 0;
        }
        finally
        {
            if (keep)
            {
                Console.WriteLine($"kept {work}");
            }
            else
            {
                Directory.Delete(work, recursive: true);
            }
        }
    }

    private static void Print(List<Figures> before, List<Figures> after)
    {
        Console.WriteLine();
        Console.WriteLine("                              before median   after median   after/before: median of per-round ratios [quartiles]");
        Row("spawn /bin/true  time/op", before, after, f => f.SpawnMicroseconds, "µs");
        Row("                 alloc/op", before, after, f => f.SpawnBytes, "B");
        Row("journal append   time/op", before, after, f => f.AppendMicroseconds, "µs");
        Row("                 alloc/op", before, after, f => f.AppendBytes, "B");
    }

    private static void Row(string name, List<Figures> before, List<Figures> after, Func<Figures, double> pick, string unit)
    {
        var ratios = before.Zip(after, (b, a) => pick(a) / pick(b)).Order().ToArray();
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{name,-28} {Median(before.Select(pick)),10:F1} {unit,-2}  {Median(after.Select(pick)),10:F1} {unit,-2}   {Quantile(ratios, 0.5):F3} [{Quantile(ratios, 0.25):F3} .. {Quantile(ratios, 0.75):F3}]"));
    }

    private static double Median(IEnumerable<double> values) => Quantile([.. values.Order()], 0.5);

    private static double Quantile(double[] sorted, double q)
    {
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var position = q * (sorted.Length - 1);
        var low = (int)Math.Floor(position);
        var high = (int)Math.Ceiling(position);
        return sorted[low] + ((sorted[high] - sorted[low]) * (position - low));
    }

    /// <summary>The revision's sources and the files every project there imports, exactly as committed.</summary>
    private static async Task ExportAsync(string root, string commit, string tree)
    {
        Directory.CreateDirectory(tree);
        var archive = Path.Combine(tree, "src.tar");
        await GitAsync(root, "archive", "--format=tar", "-o", archive, commit, "--", "Directory.Build.props", "Directory.Packages.props", "global.json", "src");
        await RunAsync("tar", ["-xf", archive, "-C", tree], tree, BuildLimit);
        File.Delete(archive);
    }

    /// <summary>A runner project beside the exported <c>src/</c> (so it imports that revision's build settings), built.</summary>
    private static async Task<string> BuildRunnerAsync(string root, string tree)
    {
        var project = Path.Combine(tree, "telemetry-runner");
        Directory.CreateDirectory(project);
        File.Copy(Path.Combine(root, "bench", "Tether.Benchmarks", "Telemetry", "TelemetryLoop.cs"), Path.Combine(project, "TelemetryLoop.cs"));
        await File.WriteAllTextAsync(Path.Combine(project, "Program.cs"), "return await Tether.Benchmarks.Telemetry.TelemetryLoop.RunAsync(args);\n");
        await File.WriteAllTextAsync(Path.Combine(project, "TelemetryRunner.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <IsPackable>false</IsPackable>
                <Optimize>true</Optimize>
              </PropertyGroup>
              <ItemGroup>
                <ProjectReference Include="../src/Tether/Tether.csproj" />
                <ProjectReference Include="../src/Tether.Journal/Tether.Journal.csproj" />
              </ItemGroup>
            </Project>
            """);
        var output = Path.Combine(tree, "out");

        // Both revisions build warning-free with their own analyzers; the runner is not held to either's, and warnings
        // do not change the code generated. No build server may outlive the measurement.
        Console.WriteLine($"building {project} ...");
        await RunAsync(
            "dotnet",
            ["build", Path.Combine(project, "TelemetryRunner.csproj"), "-c", "Release", "-o", output, "-nologo", "-v", "q",
             "-nodeReuse:false", "-p:UseSharedCompilation=false", "-p:TreatWarningsAsErrors=false"],
            tree,
            BuildLimit);
        return Path.Combine(output, "TelemetryRunner");
    }

    private static async Task<Figures> RunChildAsync(string runner, int block)
    {
        var output = await RunAsync(runner, ["--block", block.ToString(CultureInfo.InvariantCulture)], Path.GetDirectoryName(runner)!, ChildLimit);
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith(TelemetryLoop.Prefix + " ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"{runner} printed no figures:\n{output}");
        var values = line[(TelemetryLoop.Prefix.Length + 1)..].Split(' ')
            .Select(pair => pair.Split('='))
            .ToDictionary(pair => pair[0], pair => double.Parse(pair[1], CultureInfo.InvariantCulture), StringComparer.Ordinal);
        return new Figures(values["spawn_us"], values["spawn_bytes"], values["append_us"], values["append_bytes"]);
    }

    private static Task<string> GitAsync(string root, params string[] args) => RunAsync("git", ["-C", root, .. args], root, BuildLimit);

    private static async Task<string> RunAsync(string program, string[] args, string directory, TimeSpan limit)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // The outer `dotnet run`'s MSBuild settings are not the nested build's.
        info.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var name in new[] { "MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "MSBuildLoadMicrosoftTargetsReadOnly" })
        {
            info.Environment.Remove(name);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(limit);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        var text = await stdout;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited with {process.ExitCode}:\n{Cut(text + await stderr, 4000)}");
        }

        return text;
    }

    private static string RepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Tether.slnx")))
                {
                    return directory.FullName;
                }
            }
        }

        throw new InvalidOperationException("telemetry-regression runs from inside the repository (no Tether.slnx above the current directory).");
    }

    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static string Cut(string text, int length) => text.Length <= length ? text : text[..length] + "…";

    private sealed record Build(string Label, string Commit, string Runner);

    private sealed record Figures(double SpawnMicroseconds, double SpawnBytes, double AppendMicroseconds, double AppendBytes);
}
