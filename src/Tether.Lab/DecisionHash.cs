namespace Tether.Lab;

/// <summary>
/// The running hash of an engine's decisions: each input's decisions are folded into one 64-bit value, and those into
/// the running value checkpointed at the end of every chunk. A cheap multiply-xorshift mix (not cryptographic: it
/// detects divergence, it does not authenticate), the same on every platform.
/// </summary>
public static class DecisionHash
{
    /// <summary>The hash of no decisions, and the running hash before the first input.</summary>
    public const ulong Empty = 0x9E3779B97F4A7C15;

    private const ulong Prime1 = 0x9E3779B185EBCA87;

    /// <summary>Folds <paramref name="value"/> into <paramref name="hash"/>.</summary>
    public static ulong Add(ulong hash, ulong value)
    {
        // One multiply and one shift per value: this runs for every field of every decision on the recording path.
        hash = (hash ^ value) * Prime1;
        return hash ^ (hash >> 29);
    }

    /// <summary>Folds a signed value into <paramref name="hash"/>.</summary>
    public static ulong Add(ulong hash, long value) => Add(hash, (ulong)value);

    /// <summary>The one-byte digest of an input's decision hash, stored beside each input.</summary>
    /// <remarks>The top byte of a multiplication by an odd constant depends on every bit of the hash.</remarks>
    public static byte Digest(ulong decisions) => (byte)((decisions * Prime1) >> 56);

}
