using System.Globalization;
using Tether.Supervisor;

namespace Tether.Benchmarks.Supervisor;

/// <summary>
/// <c>supervisor-chain [--depth 5] [--width 10] [--step-ms 200] [--rounds 3]</c>: depth × width services (50 by
/// default) in levels; every service of a level depends (condition ready) on every service of the level before. Each
/// service becomes ready <c>step</c> after it starts (it prints <c>ready</c>; a log probe sees it). Reports the time
/// from the start to every service ready against the sum along the chain of each level's own readiness time (from its
/// start decision to its ready state, the slowest of the level), and against depth × the same service's readiness
/// time when started alone by System.Diagnostics.Process (spawn, shell, sleep, the line read back) — the overhead the
/// supervisor adds to ordering.
/// </summary>
internal static class SupervisorChain
{
    public static async Task<int> RunAsync(string[] args)
    {
        var depth = Option(args, "--depth", 5);
        var width = Option(args, "--width", 10);
        var step = TimeSpan.FromMilliseconds(Option(args, "--step-ms", 200));
        var rounds = Option(args, "--rounds", 3);
        Console.WriteLine($"{depth * width} services, {depth} levels of {width}, each ready {step.TotalMilliseconds:0} ms after it starts; {rounds} rounds.");
        var alone = await AloneAsync(step).ConfigureAwait(false);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"one such service started alone by Process is ready after {alone.TotalMilliseconds:0} ms (median of 9); the chain alone: {(alone * depth).TotalMilliseconds:0} ms"));
        var ratios = new List<double>();
        var aloneRatios = new List<double>();
        for (var round = 1; round <= rounds; round++)
        {
            var (total, chain) = await RoundAsync(depth, width, step).ConfigureAwait(false);
            ratios.Add(total / chain);
            aloneRatios.Add(total / (alone * depth));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"round {round}: all ready {total.TotalMilliseconds:0} ms; the chain's own readiness under the supervisor {chain.TotalMilliseconds:0} ms (ratio {total / chain:0.000}); against the chain alone {total / (alone * depth):0.000}"));
        }

        ratios.Sort();
        aloneRatios.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"median ratio {ratios[ratios.Count / 2]:0.000} against the chain's own readiness, {aloneRatios[aloneRatios.Count / 2]:0.000} against the chain started alone (target ≤ 1.2)"));
        return 0;
    }

    private static async Task<(TimeSpan Total, TimeSpan Chain)> RoundAsync(int depth, int width, TimeSpan step)
    {
        var directory = Directory.CreateTempSubdirectory("tether-bench-chain-").FullName;
        try
        {
            var services = new List<ServiceDefinition>();
            var seconds = step.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
            for (var level = 0; level < depth; level++)
            {
                for (var i = 0; i < width; i++)
                {
                    services.Add(new ServiceDefinition
                    {
                        Name = Name(level, i),
                        Command = new ServiceCommand.Shell($"sleep {seconds}; echo ready; exec sleep infinity"),
                        Ready = new ProbeDefinition { Kind = ProbeKind.Log, Pattern = "^ready$" },
                        DependsOn = level == 0 ? [] : [.. Enumerable.Range(0, width).Select(j => new Dependency(Name(level - 1, j), DependencyCondition.Ready))],
                    });
                }
            }

            var started = new Dictionary<InstanceId, TimeSpan>();
            var ready = new Dictionary<InstanceId, TimeSpan>();
            var allReady = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
            var supervisor = await Tether.Supervisor.Supervisor.StartAsync(new SupervisorOptions
            {
                Services = new ServiceSet(directory, services),
                OnDecision = decision =>
                {
                    switch (decision)
                    {
                        case SupervisorDecision.StartInstance start:
                            started[start.Instance] = start.At;
                            break;
                        case SupervisorDecision.StateChanged { To: ServiceState.Ready } changed:
                            ready[changed.Instance] = changed.At;
                            break;
                        case SupervisorDecision.AllReady all:
                            allReady.TrySetResult(all.At);
                            break;
                    }
                },
            }, CancellationToken.None).ConfigureAwait(false);
            await using (supervisor.ConfigureAwait(false))
            {
                var total = await allReady.Task.WaitAsync(TimeSpan.FromMinutes(2)).ConfigureAwait(false);
                var chain = TimeSpan.Zero;
                for (var level = 0; level < depth; level++)
                {
                    chain += Enumerable.Range(0, width).Select(i => new InstanceId(Name(level, i), 0)).Max(id => ready[id] - started[id]);
                }

                return (total, chain);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>How long one service of the chain takes to print its line when started alone (median of 9).</summary>
    private static async Task<TimeSpan> AloneAsync(TimeSpan step)
    {
        var seconds = step.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        var times = new List<TimeSpan>();
        for (var i = 0; i < 9; i++)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("/bin/sh", ["-c", $"sleep {seconds}; echo ready"]) { RedirectStandardOutput = true, UseShellExecute = false })!;
            await process.StandardOutput.ReadLineAsync().ConfigureAwait(false);
            times.Add(clock.Elapsed);
            await process.WaitForExitAsync().ConfigureAwait(false);
        }

        times.Sort();
        return times[times.Count / 2];
    }

    private static string Name(int level, int index) => string.Create(CultureInfo.InvariantCulture, $"l{level}s{index}");

    private static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;
    }
}
