namespace Tether.Supervisor;

/// <summary>
/// The engine's one random source: SplitMix64 from the seed the <see cref="SupervisorInput.Configure"/> input carries.
/// Written out here rather than taken from <see cref="Random"/> so that a trace recorded by one runtime version replays
/// the same jitter on another.
/// </summary>
internal struct SeededRandom(ulong seed)
{
    private ulong _state = seed;

    /// <summary>A number in [0, 1).</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    private ulong Next()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
