using BenchmarkDotNet.Attributes;
using Tether.Benchmarks.Contenders;

namespace Tether.Benchmarks.Scenarios;

/// <summary>Capture the stdout of <c>/bin/echo hello</c> as a string.</summary>
[Config(typeof(ShortRunConfig))]
public class SmallCaptureBenchmarks
{
    private const string Echo = "/bin/echo";
    private const string Word = "hello";
    private const string Expected = "hello\n";

    [GlobalSetup]
    public void Setup() => Validation.Once(nameof(SmallCaptureBenchmarks), () =>
    {
        Validation.Expect(ProcessContender.OutputStringAsync(Echo, Word).GetAwaiter().GetResult() == Expected, "Process stdout");
        Validation.Expect(CliWrapContender.OutputStringAsync(Echo, Word).GetAwaiter().GetResult() == Expected, "CliWrap stdout");
        Validation.Expect(MedallionContender.OutputStringAsync(Echo, Word).GetAwaiter().GetResult() == Expected, "MedallionShell stdout");
        Validation.Expect(TetherContender.OutputStringAsync(ContainmentMode.Auto, Echo, Word).GetAwaiter().GetResult() == Expected, "Tether Auto stdout");
        Validation.Expect(TetherContender.OutputStringAsync(ContainmentMode.ProcessGroup, Echo, Word).GetAwaiter().GetResult() == Expected, "Tether ProcessGroup stdout");
        Validation.ReportMechanisms();
    });

    [Benchmark(Baseline = true, Description = "Process")]
    public Task<string> Process() => ProcessContender.OutputStringAsync(Echo, Word);

    [Benchmark(Description = "CliWrap")]
    public Task<string> CliWrap() => CliWrapContender.OutputStringAsync(Echo, Word);

    [Benchmark(Description = "MedallionShell")]
    public Task<string> MedallionShell() => MedallionContender.OutputStringAsync(Echo, Word);

    [Benchmark(Description = "Tether Auto")]
    public Task<string> TetherAuto() => TetherContender.OutputStringAsync(ContainmentMode.Auto, Echo, Word);

    [Benchmark(Description = "Tether ProcessGroup")]
    public Task<string> TetherProcessGroup() => TetherContender.OutputStringAsync(ContainmentMode.ProcessGroup, Echo, Word);
}
