using BenchmarkDotNet.Configs;

namespace Tether.Benchmarks.Cassettes;

/// <summary>The short-run job of the process scenarios (<see cref="ShortRunConfig"/>), plus how many times faster than the
/// real spawn each case is.</summary>
public sealed class CassetteConfig : ManualConfig
{
    public CassetteConfig()
    {
        Add(new ShortRunConfig());
        AddColumn(new SpeedUpColumn(median: false), new SpeedUpColumn(median: true));
    }
}
