using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Tether.Benchmarks.Watch;

/// <summary>Frames per second on one thread: one second divided by the mean (or median) time of one operation, which
/// is one frame in <see cref="FrameCodecBenchmarks"/>.</summary>
internal sealed class FramesPerSecondColumn(bool median) : IColumn
{
    public string Id => median ? "FramesPerSecondMedian" : "FramesPerSecondMean";

    public string ColumnName => median ? "Frames/s (median)" : "Frames/s (mean)";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => median ? 1 : 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => $"One second divided by the {(median ? "median" : "mean")} time of one frame";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var statistics = summary[benchmarkCase]?.ResultStatistics;
        if (statistics is null)
        {
            return "NA";
        }

        var nanoseconds = median ? statistics.Median : statistics.Mean;
        return (1e9 / nanoseconds).ToString("N0", CultureInfo.InvariantCulture);
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
