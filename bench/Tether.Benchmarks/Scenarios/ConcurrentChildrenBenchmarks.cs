using BenchmarkDotNet.Attributes;
using Tether.Benchmarks.Contenders;

namespace Tether.Benchmarks.Scenarios;

/// <summary>Start 16 <c>/bin/true</c> children at once and wait for all of them (same per-child work as spawn-and-wait).</summary>
[Config(typeof(ShortRunConfig))]
public class ConcurrentChildrenBenchmarks
{
    private const string True = "/bin/true";
    private const int Children = 16;

    [GlobalSetup]
    public void Setup() => Validation.Once(nameof(ConcurrentChildrenBenchmarks), () =>
    {
        Validation.Expect(Process().GetAwaiter().GetResult() == 0, "Process exit codes");
        Validation.Expect(CliWrap().GetAwaiter().GetResult() == 0, "CliWrap exit codes");
        Validation.Expect(MedallionShell().GetAwaiter().GetResult() == 0, "MedallionShell exit codes");
        Validation.Expect(TetherAuto().GetAwaiter().GetResult() == 0, "Tether Auto exit codes");
        Validation.Expect(TetherProcessGroup().GetAwaiter().GetResult() == 0, "Tether ProcessGroup exit codes");
        Validation.ReportMechanisms();
    });

    [Benchmark(Baseline = true, Description = "Process")]
    public Task<int> Process() => AllAsync(static () => ProcessContender.ExitCodeAsync(True));

    [Benchmark(Description = "CliWrap")]
    public Task<int> CliWrap() => AllAsync(static () => CliWrapContender.ExitCodeAsync(True));

    [Benchmark(Description = "MedallionShell")]
    public Task<int> MedallionShell() => AllAsync(static () => MedallionContender.ExitCodeAsync(True));

    [Benchmark(Description = "Tether Auto")]
    public Task<int> TetherAuto() => AllAsync(static () => TetherContender.ExitCodeAsync(ContainmentMode.Auto, True));

    [Benchmark(Description = "Tether ProcessGroup")]
    public Task<int> TetherProcessGroup() => AllAsync(static () => TetherContender.ExitCodeAsync(ContainmentMode.ProcessGroup, True));

    /// <summary>Starts all children from this thread (each start is synchronous for every contender), then awaits them together.</summary>
    private static async Task<int> AllAsync(Func<Task<int>> runOne)
    {
        var runs = new Task<int>[Children];
        for (var i = 0; i < runs.Length; i++)
        {
            runs[i] = runOne();
        }

        var codes = await Task.WhenAll(runs).ConfigureAwait(false);
        return codes.Sum();
    }
}
