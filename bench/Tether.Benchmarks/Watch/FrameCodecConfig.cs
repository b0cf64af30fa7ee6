using Tether.Benchmarks.Columns;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;

namespace Tether.Benchmarks.Watch;

/// <summary>
/// The short-run job of the process scenarios (<see cref="ShortRunConfig"/>: in-process, 5 warmups, 40 iterations of
/// about 250 ms, allocations per operation), plus frames per second and the 95th and 99th percentiles of the
/// iterations' time per frame. Those percentiles are over iterations (each the mean of millions of frames), not the
/// latency of single frames: that is the <c>vlp-latency</c> mode's.
/// </summary>
public sealed class FrameCodecConfig : ManualConfig
{
    public FrameCodecConfig()
    {
        Add(new ShortRunConfig());
        AddColumn(StatisticColumn.P95, new IterationP99Column());
        AddColumn(new PerSecondColumn("Frames", 1, median: false), new PerSecondColumn("Frames", 1, median: true));
    }
}
