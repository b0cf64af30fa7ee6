using BenchmarkDotNet.Attributes;
using Tether.Benchmarks.Contenders;

namespace Tether.Benchmarks.Scenarios;

/// <summary>
/// Feed 64 MiB to <c>/bin/cat</c> on stdin while capturing its stdout, and return the captured bytes as one array.
/// Every contender writes and reads concurrently on raw byte streams. Process, CliWrap and MedallionShell are told the
/// length to expect and read into a buffer of exactly that size (no copy after the kernel's); Tether is not told.
/// </summary>
[Config(typeof(StreamingConfig))]
public class CatThroughputBenchmarks
{
    private const string Cat = "/bin/cat";
    private const int Size = 64 * 1024 * 1024;
    private const long TetherOutputLimit = 2L * Size;
    private static byte[]? s_input;

    private static byte[] Input => s_input ??= CreateInput();

    [GlobalSetup]
    public void Setup() => Validation.Once(nameof(CatThroughputBenchmarks), () =>
    {
        var input = Input;
        Validation.Expect(ProcessContender.OutputBytesAsync(Cat, input, Size).GetAwaiter().GetResult().AsSpan().SequenceEqual(input), "Process stdout");
        Validation.Expect(CliWrapContender.OutputBytesAsync(Cat, input, Size).GetAwaiter().GetResult().AsSpan().SequenceEqual(input), "CliWrap stdout");
        Validation.Expect(MedallionContender.OutputBytesAsync(Cat, input, Size).GetAwaiter().GetResult().AsSpan().SequenceEqual(input), "MedallionShell stdout");
        Validation.Expect(TetherContender.OutputBytesAsync(ContainmentMode.Auto, Cat, input, TetherOutputLimit).GetAwaiter().GetResult().AsSpan().SequenceEqual(input), "Tether Auto stdout");
        Validation.Expect(TetherContender.OutputBytesAsync(ContainmentMode.ProcessGroup, Cat, input, TetherOutputLimit).GetAwaiter().GetResult().AsSpan().SequenceEqual(input), "Tether ProcessGroup stdout");
        Validation.ReportMechanisms();
    });

    [Benchmark(Baseline = true, Description = "Process")]
    public Task<byte[]> Process() => ProcessContender.OutputBytesAsync(Cat, Input, Size);

    [Benchmark(Description = "CliWrap")]
    public Task<byte[]> CliWrap() => CliWrapContender.OutputBytesAsync(Cat, Input, Size);

    [Benchmark(Description = "MedallionShell")]
    public Task<byte[]> MedallionShell() => MedallionContender.OutputBytesAsync(Cat, Input, Size);

    [Benchmark(Description = "Tether Auto")]
    public Task<byte[]> TetherAuto() => TetherContender.OutputBytesAsync(ContainmentMode.Auto, Cat, Input, TetherOutputLimit);

    [Benchmark(Description = "Tether ProcessGroup")]
    public Task<byte[]> TetherProcessGroup() => TetherContender.OutputBytesAsync(ContainmentMode.ProcessGroup, Cat, Input, TetherOutputLimit);

    private static byte[] CreateInput()
    {
        var bytes = GC.AllocateUninitializedArray<byte>(Size);
        new Random(20240229).NextBytes(bytes);
        return bytes;
    }
}
