using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Tether.Benchmarks.Journal;

/// <summary>Records per second from the mean (and the median) time of one operation that handles a fixed number of
/// records.</summary>
internal sealed class RecordsPerSecondColumn(int recordsPerOperation, bool median) : IColumn
{
    public string Id => median ? "RecordsPerSecondMedian" : "RecordsPerSecondMean";

    public string ColumnName => median ? "Records/s (median)" : "Records/s (mean)";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => median ? 1 : 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => $"{recordsPerOperation:N0} records per operation divided by the {(median ? "median" : "mean")} time of one operation";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var statistics = summary[benchmarkCase]?.ResultStatistics;
        if (statistics is null)
        {
            return "NA";
        }

        var nanoseconds = median ? statistics.Median : statistics.Mean;
        return (recordsPerOperation / (nanoseconds / 1e9)).ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
