using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

namespace Tether.Benchmarks;

/// <summary>
/// The job for runs that take a few milliseconds: in-process (see docs/benchmarks.md for why that is honest here),
/// 5 warmups and 40 measured iterations of about 250 ms each (the machine is noisy: spawning is
/// dominated by the kernel, and a 2-core host shares its cores with everything else).
/// </summary>
public sealed class ShortRunConfig : ManualConfig
{
    public ShortRunConfig()
    {
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithWarmupCount(5)
            .WithIterationCount(40)
            .WithIterationTime(TimeInterval.FromMilliseconds(250))
            .WithId("InProcess-Short"));
        AddCommon(this);
    }

    internal static void AddCommon(ManualConfig config)
    {
        config.AddDiagnoser(MemoryDiagnoser.Default);
        config.AddColumn(StatisticColumn.Median, StatisticColumn.Min, StatisticColumn.Max);
        config.WithOptions(ConfigOptions.DisableLogFile);
    }
}

/// <summary>
/// The job for runs that move tens of MiB (tens of milliseconds each): two operations per iteration (so an iteration
/// lasts about 100 ms or more), 3 warmups, 20 measured iterations.
/// </summary>
public sealed class StreamingConfig : ManualConfig
{
    public StreamingConfig()
    {
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithInvocationCount(2)
            .WithUnrollFactor(1)
            .WithWarmupCount(3)
            .WithIterationCount(20)
            .WithId("InProcess-Streaming"));
        ShortRunConfig.AddCommon(this);
    }
}
