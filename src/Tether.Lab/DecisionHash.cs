namespace Tether.Lab;

/// <summary>
/// The running hash of an engine's decisions: each input's decisions are folded into one 64-bit value, and those into
/// the running value checkpointed at the end of every chunk. A cheap multiply-rotate mix (not cryptographic: it
/// detects divergence, it does not authenticate), the same on every platform.
/// </summary>
public static class DecisionHash
{
    /// <summary>The hash of no decisions, and the running hash before the first input.</summary>
    public const ulong Empty = 0x9E3779B97F4A7C15;

    private const ulong Prime1 = 0x9E3779B185EBCA87;
    private const ulong Prime2 = 0xC2B2AE3D27D4EB4F;

    /// <summary>Folds <paramref name="value"/> into <paramref name="hash"/>.</summary>
    public static ulong Add(ulong hash, ulong value)
    {
        hash ^= Round(value);
        return (ulong.RotateLeft(hash, 27) * Prime1) + 0x85EBCA77C2B2AE63;
    }

    /// <summary>Folds a signed value into <paramref name="hash"/>.</summary>
    public static ulong Add(ulong hash, long value) => Add(hash, (ulong)value);

    /// <summary>The one-byte digest of an input's decision hash, stored beside each input.</summary>
    /// <remarks>The top byte of a multiplication by an odd constant depends on every bit of the hash.</remarks>
    public static byte Digest(ulong decisions) => (byte)((decisions * Prime1) >> 56);

    private static ulong Round(ulong value) => ulong.RotateLeft(value * Prime2, 31) * Prime1;
}
