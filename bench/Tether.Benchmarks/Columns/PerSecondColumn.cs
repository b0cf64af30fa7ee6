using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Tether.Benchmarks.Columns;

/// <summary>
/// Items per second on one thread — journal records, VLP frames — from the mean (or the median) time of one operation
/// that handles <paramref name="itemsPerOperation"/> items.
/// </summary>
/// <param name="items">What is counted, capitalised as a column title: <c>Records</c>, <c>Frames</c>.</param>
/// <param name="itemsPerOperation">How many items one operation handles.</param>
/// <param name="median">The median time instead of the mean.</param>
internal sealed class PerSecondColumn(string items, int itemsPerOperation, bool median) : IColumn
{
    public string Id => $"{items}PerSecond{(median ? "Median" : "Mean")}";

    public string ColumnName => $"{items}/s ({(median ? "median" : "mean")})";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => median ? 1 : 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => $"{itemsPerOperation:N0} {items.ToLowerInvariant()} per operation divided by the {(median ? "median" : "mean")} time of one operation";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var statistics = summary[benchmarkCase]?.ResultStatistics;
        if (statistics is null)
        {
            return "NA";
        }

        var nanoseconds = median ? statistics.Median : statistics.Mean;
        return (itemsPerOperation / (nanoseconds / 1e9)).ToString("N0", CultureInfo.InvariantCulture);
    }

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;
}
