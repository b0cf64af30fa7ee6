using System.Buffers.Binary;
using System.IO.Hashing;
using System.Numerics;

namespace Tether.Checksums;

/// <summary>
/// CRC-32C (Castagnoli; reflected polynomial 0x82F63B78, initial value and final XOR 0xFFFFFFFF): the checksum of every
/// journal line and of every VLP frame. Check value: CRC-32C("123456789") = 0xE3069283.
/// </summary>
/// <remarks>
/// Two base-library routes give the same value. Short inputs — a 28-byte VLP frame, a journal record of a few hundred
/// bytes — go through <see cref="BitOperations.Crc32C(uint, ulong)"/>, the CPU's CRC32C instruction one 8-byte word at a
/// time (with a software fallback on CPUs without it). Long inputs go through <see cref="System.IO.Hashing.Crc32"/> with
/// <see cref="Crc32ParameterSet.Crc32C"/>, whose vectorised folding wins there. Measured on the reference machine
/// (docs/benchmarks.md, "CRC-32C"): the instruction is 1.4–2.3× faster at 28 and 200 bytes, the package 1.4× faster at
/// 4 KiB; the threshold sits between.
/// </remarks>
internal static class Crc32C
{
    /// <summary>From this many bytes on, the package's folding is faster than the instruction loop.</summary>
    internal const int FoldingThreshold = 1024;

    // One running hash per thread for long checksums over several pieces: no allocation per record on the journal's hot path.
    [ThreadStatic]
    private static Crc32? s_running;

    /// <summary>The CRC-32C of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) =>
        data.Length >= FoldingThreshold ? Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, data) : ~Update(~0u, data);

    /// <summary>The CRC-32C of the pieces as if they were one span, in order.</summary>
    public static uint Compute(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, ReadOnlySpan<byte> third = default)
    {
        if (first.Length + second.Length + third.Length < FoldingThreshold)
        {
            return ~Update(Update(Update(~0u, first), second), third);
        }

        var running = s_running ??= new Crc32(Crc32ParameterSet.Crc32C);
        running.Reset();
        running.Append(first);
        running.Append(second);
        running.Append(third);
        return running.GetCurrentHashAsUInt32();
    }

    /// <summary>Continues a running (not yet inverted) CRC with the CPU's CRC32C instruction.</summary>
    private static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        while (data.Length >= sizeof(ulong))
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[sizeof(ulong)..];
        }

        foreach (var b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return crc;
    }
}
