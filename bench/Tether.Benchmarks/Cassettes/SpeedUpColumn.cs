using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Tether.Benchmarks.Cassettes;

/// <summary>
/// How many times faster than the baseline a case is: the baseline's mean (or median) time of one operation divided by
/// the case's. BenchmarkDotNet's Ratio column says the same the other way round, but as a mean of per-iteration ratios
/// printed with three decimals, which is hard to read against a "100× faster" target.
/// </summary>
internal sealed class SpeedUpColumn(bool median) : IColumn
{
    public string Id => median ? "SpeedUpMedian" : "SpeedUpMean";

    public string ColumnName => median ? "Speed-up (median)" : "Speed-up (mean)";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => median ? 1 : 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => $"The baseline's {(median ? "median" : "mean")} time of one operation divided by this case's";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var baseline = summary.GetBaseline(summary.GetLogicalGroupKey(benchmarkCase));
        var own = summary[benchmarkCase]?.ResultStatistics;
        var reference = baseline is null ? null : summary[baseline]?.ResultStatistics;
        if (own is null || reference is null)
        {
            return "NA";
        }

        var factor = median ? reference.Median / own.Median : reference.Mean / own.Mean;
        return factor.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + "×";
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
