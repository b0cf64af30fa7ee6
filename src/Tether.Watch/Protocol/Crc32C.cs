using System.Numerics;

namespace Tether.Watch.Protocol;

/// <summary>CRC-32C (Castagnoli), reflected, initial and final value all-ones: the checksum VLP frames carry.</summary>
internal static class Crc32C
{
    /// <summary>The checksum of <paramref name="data"/> (hardware-accelerated where the CPU has it).</summary>
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = ~0u;
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }

        foreach (var b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return ~crc;
    }
}
