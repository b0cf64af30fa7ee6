using Tether.Benchmarks.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Tether.Benchmarks.Journal;

/// <summary>
/// Appends: one operation (a fixed number of durable appends) per iteration, so every iteration gets a fresh journal
/// from <c>[IterationSetup]</c>; 2 warmups, 12 measured iterations. In-process, like the other scenarios.
/// </summary>
public sealed class JournalAppendConfig : ManualConfig
{
    public JournalAppendConfig()
    {
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .WithWarmupCount(2)
            .WithIterationCount(12)
            .WithId("InProcess-Journal"));
        ShortRunConfig.AddCommon(this);
        AddColumn(new PerSecondColumn("Records", JournalAppendBenchmarks.RecordsPerOperation, median: false));
        AddColumn(new PerSecondColumn("Records", JournalAppendBenchmarks.RecordsPerOperation, median: true));
    }
}

/// <summary>Reads: one full read of the pre-written journal per iteration, 2 warmups, 10 measured iterations.</summary>
public sealed class JournalReadConfig : ManualConfig
{
    public JournalReadConfig()
    {
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .WithWarmupCount(2)
            .WithIterationCount(10)
            .WithId("InProcess-JournalRead"));
        ShortRunConfig.AddCommon(this);
        AddColumn(new PerSecondColumn("Records", JournalReadBenchmarks.Records, median: false));
        AddColumn(new PerSecondColumn("Records", JournalReadBenchmarks.Records, median: true));
    }
}
