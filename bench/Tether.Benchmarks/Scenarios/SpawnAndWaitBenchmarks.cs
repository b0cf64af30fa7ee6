using BenchmarkDotNet.Attributes;
using Tether.Benchmarks.Contenders;

namespace Tether.Benchmarks.Scenarios;

/// <summary>Spawn <c>/bin/true</c> and wait for it; every contender redirects and drains all three streams.</summary>
[Config(typeof(ShortRunConfig))]
public class SpawnAndWaitBenchmarks
{
    private const string True = "/bin/true";

    [GlobalSetup]
    public void Setup() => Validation.Once(nameof(SpawnAndWaitBenchmarks), () =>
    {
        Validation.Expect(ProcessContender.ExitCodeAsync(True).GetAwaiter().GetResult() == 0, "Process exit code");
        Validation.Expect(ProcessContender.ExitCodeInheritedAsync(True).GetAwaiter().GetResult() == 0, "Process (no redirection) exit code");
        Validation.Expect(CliWrapContender.ExitCodeAsync(True).GetAwaiter().GetResult() == 0, "CliWrap exit code");
        Validation.Expect(MedallionContender.ExitCodeAsync(True).GetAwaiter().GetResult() == 0, "MedallionShell exit code");
        Validation.Expect(TetherContender.ExitCodeAsync(ContainmentMode.Auto, True).GetAwaiter().GetResult() == 0, "Tether Auto exit code");
        Validation.Expect(TetherContender.ExitCodeAsync(ContainmentMode.ProcessGroup, True).GetAwaiter().GetResult() == 0, "Tether ProcessGroup exit code");
        Validation.ReportMechanisms();
    });

    [Benchmark(Baseline = true, Description = "Process")]
    public Task<int> Process() => ProcessContender.ExitCodeAsync(True);

    [Benchmark(Description = "Process, no redirection")]
    public Task<int> ProcessNoRedirection() => ProcessContender.ExitCodeInheritedAsync(True);

    [Benchmark(Description = "CliWrap")]
    public Task<int> CliWrap() => CliWrapContender.ExitCodeAsync(True);

    [Benchmark(Description = "MedallionShell")]
    public Task<int> MedallionShell() => MedallionContender.ExitCodeAsync(True);

    [Benchmark(Description = "Tether Auto")]
    public Task<int> TetherAuto() => TetherContender.ExitCodeAsync(ContainmentMode.Auto, True);

    [Benchmark(Description = "Tether ProcessGroup")]
    public Task<int> TetherProcessGroup() => TetherContender.ExitCodeAsync(ContainmentMode.ProcessGroup, True);
}
