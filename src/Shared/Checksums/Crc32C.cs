using System.IO.Hashing;

namespace Tether.Checksums;

/// <summary>
/// CRC-32C (Castagnoli; reflected polynomial 0x82F63B78, initial value and final XOR 0xFFFFFFFF): the checksum of every
/// journal line and of every VLP frame. Check value: CRC-32C("123456789") = 0xE3069283. Computed by
/// <see cref="System.IO.Hashing.Crc32"/> with <see cref="Crc32ParameterSet.Crc32C"/>.
/// </summary>
internal static class Crc32C
{
    // One running hash per thread for checksums over several pieces: no allocation per record on the journal's hot path.
    [ThreadStatic]
    private static Crc32? s_running;

    /// <summary>The CRC-32C of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, data);

    /// <summary>The CRC-32C of the pieces as if they were one span, in order.</summary>
    public static uint Compute(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, ReadOnlySpan<byte> third = default)
    {
        var running = s_running ??= new Crc32(Crc32ParameterSet.Crc32C);
        running.Reset();
        running.Append(first);
        running.Append(second);
        running.Append(third);
        return running.GetCurrentHashAsUInt32();
    }
}
