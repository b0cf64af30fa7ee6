namespace Tether.Watch;

/// <summary>SplitMix64: a tiny seeded generator whose sequence is the same on every platform and runtime version.</summary>
internal struct SimRandom(ulong seed)
{
    private ulong _state = seed;

    public ulong Next()
    {
        var z = _state += 0x9E3779B97F4A7C15;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

    /// <summary>From 0 up to (not including) <paramref name="max"/>.</summary>
    public int Below(int max) => max <= 1 ? 0 : (int)(Next() % (ulong)max);

    /// <summary>From <paramref name="min"/> up to (not including) <paramref name="max"/>.</summary>
    public long Between(long min, long max) => max <= min ? min : min + (long)(Next() % (ulong)(max - min));

    /// <summary>True one time in <paramref name="n"/> (never when n is 0).</summary>
    public bool OneIn(int n) => n > 0 && Below(n) == 0;
}
