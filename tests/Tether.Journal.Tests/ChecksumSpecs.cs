using System.Text;
using Tether.Checksums;

namespace Tether.Journaling.Tests;

public sealed class ChecksumSpecs
{
    [Fact]
    public void The_checksum_is_CRC32C_with_the_standard_check_value()
    {
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
        Assert.Equal(0xE3069283u, Crc32C.Compute("1234"u8, "5678"u8, "9"u8));
        Assert.Equal(0u, Crc32C.Compute([]));
    }

    [Fact]
    public void The_checksum_agrees_with_the_bitwise_definition_on_every_length()
    {
        // Every short length, and lengths around the switch to the long-input route, whole and in pieces.
        var random = new Random(20251122);
        var lengths = Enumerable.Range(0, 300)
            .Concat(Enumerable.Range(Crc32C.FoldingThreshold - 9, 18))
            .Concat([4096, 65_537]);
        foreach (var length in lengths)
        {
            var data = new byte[length];
            random.NextBytes(data);

            Assert.Equal(BitwiseCrc32C(data), Crc32C.Compute(data));
            Assert.Equal(BitwiseCrc32C(data), Crc32C.Compute(data.AsSpan(0, length / 2), data.AsSpan(length / 2)));
        }
    }

    [Fact]
    public void A_running_checksum_over_pieces_equals_the_checksum_of_the_whole()
    {
        var data = Encoding.UTF8.GetBytes("{\"seq\":1,\"ts\":\"2025-01-01T00:00:00.000000Z\",\"type\":\"a.b\"}");

        var pieces = Crc32C.Compute(data.AsSpan(0, 7), data.AsSpan(7, 20), data.AsSpan(27));

        Assert.Equal(Crc32C.Compute(data), pieces);
        Assert.Equal(BitwiseCrc32C(data), pieces);
    }

    /// <summary>The definition, bit by bit, independent of the code under test.</summary>
    internal static uint BitwiseCrc32C(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
            }
        }

        return ~crc;
    }
}
