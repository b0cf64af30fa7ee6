namespace Tether.Lab;

/// <summary>What a replay found: identical decisions for every event, or the first divergence.</summary>
/// <param name="Events">Events replayed (up to and including the divergence).</param>
/// <param name="Divergence">The first divergence, or null when every decision matched.</param>
/// <param name="Stops">Where reading stopped early in any file (a torn or damaged tail): the replay covers only what was recovered.</param>
/// <param name="PrefixPath">Where the minimal divergent prefix was written, or null.</param>
public sealed record ReplayResult(long Events, Divergence? Divergence, IReadOnlyList<(string File, TraceStop Stop)> Stops, string? PrefixPath)
{
    /// <summary>True when every replayed decision matched the recording.</summary>
    public bool Identical => Divergence is null;
}
