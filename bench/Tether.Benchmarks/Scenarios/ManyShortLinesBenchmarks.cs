using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Tether.Benchmarks.Contenders;

namespace Tether.Benchmarks.Scenarios;

/// <summary>
/// One million short lines (<c>seq 1 1000000</c>, 6.9 MB): read line by line as they arrive with each contender's
/// line API, and captured whole as one string.
/// </summary>
[Config(typeof(StreamingConfig))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class ManyShortLinesBenchmarks
{
    private const string Seq = "/usr/bin/seq";
    private const int Lines = 1_000_000;
    private static readonly string[] Arguments = ["1", "1000000"];

    [GlobalSetup]
    public void Setup() => Validation.Once(nameof(ManyShortLinesBenchmarks), () =>
    {
        Validation.Expect(ProcessContender.CountLinesAsync(Seq, Arguments).GetAwaiter().GetResult() == Lines, "Process lines");
        Validation.Expect(CliWrapContender.CountLinesAsync(Seq, Arguments).GetAwaiter().GetResult() == Lines, "CliWrap lines");
        Validation.Expect(MedallionContender.CountLinesAsync(Seq, Arguments).GetAwaiter().GetResult() == Lines, "MedallionShell lines");
        Validation.Expect(TetherContender.CountLinesAsync(ContainmentMode.Auto, Seq, Arguments).GetAwaiter().GetResult() == Lines, "Tether Auto lines");
        var expected = ProcessContender.OutputStringAsync(Seq, Arguments).GetAwaiter().GetResult();
        Validation.Expect(expected.Length == 6_888_896, "Process capture");
        Validation.Expect(CliWrapContender.OutputStringAsync(Seq, Arguments).GetAwaiter().GetResult() == expected, "CliWrap capture");
        Validation.Expect(MedallionContender.OutputStringAsync(Seq, Arguments).GetAwaiter().GetResult() == expected, "MedallionShell capture");
        Validation.Expect(TetherContender.OutputStringAsync(ContainmentMode.Auto, Seq, Arguments).GetAwaiter().GetResult() == expected, "Tether Auto capture");
        Validation.ReportMechanisms();
    });

    [Benchmark(Baseline = true, Description = "Process lines")]
    [BenchmarkCategory("lines")]
    public Task<int> ProcessLines() => ProcessContender.CountLinesAsync(Seq, Arguments);

    [Benchmark(Description = "CliWrap lines")]
    [BenchmarkCategory("lines")]
    public Task<int> CliWrapLines() => CliWrapContender.CountLinesAsync(Seq, Arguments);

    [Benchmark(Description = "MedallionShell lines")]
    [BenchmarkCategory("lines")]
    public Task<int> MedallionShellLines() => MedallionContender.CountLinesAsync(Seq, Arguments);

    [Benchmark(Description = "Tether Auto lines")]
    [BenchmarkCategory("lines")]
    public Task<int> TetherAutoLines() => TetherContender.CountLinesAsync(ContainmentMode.Auto, Seq, Arguments);

    [Benchmark(Baseline = true, Description = "Process capture")]
    [BenchmarkCategory("capture")]
    public Task<string> ProcessCapture() => ProcessContender.OutputStringAsync(Seq, Arguments);

    [Benchmark(Description = "CliWrap capture")]
    [BenchmarkCategory("capture")]
    public Task<string> CliWrapCapture() => CliWrapContender.OutputStringAsync(Seq, Arguments);

    [Benchmark(Description = "MedallionShell capture")]
    [BenchmarkCategory("capture")]
    public Task<string> MedallionShellCapture() => MedallionContender.OutputStringAsync(Seq, Arguments);

    [Benchmark(Description = "Tether Auto capture")]
    [BenchmarkCategory("capture")]
    public Task<string> TetherAutoCapture() => TetherContender.OutputStringAsync(ContainmentMode.Auto, Seq, Arguments);
}
