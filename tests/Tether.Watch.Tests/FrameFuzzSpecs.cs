using System.Buffers.Binary;
using static Tether.Watch.Tests.FrameCodecSpecs;

namespace Tether.Watch.Tests;

/// <summary>
/// The decoder against random input (seeded, so a failure reproduces): whatever arrives, <see cref="Frame.TryDecode"/>
/// returns and <see cref="Frame.Decode"/> throws nothing but <see cref="FrameDecodeException"/>; and what gets past the
/// CRC is judged exactly as the normative order says.
/// </summary>
public sealed class FrameFuzzSpecs
{
    private const int Cases = 100_000;

    [Fact]
    public void Random_bytes_of_any_length_up_to_64_are_rejected_with_a_typed_error_never_an_exception()
    {
        var random = new Random(50_001);
        var lengths = new int[65];
        for (var i = 0; i < Cases; i++)
        {
            // Arrange: a third of the cases exactly 32 bytes, so the checks after the length get exercised too.
            var length = random.Next(3) == 0 ? Frame.Size : random.Next(65);
            var bytes = new byte[length];
            random.NextBytes(bytes);
            lengths[length]++;

            // Act + Assert
            var outcome = DecodeBothWays(bytes, i);

            if (length != Frame.Size)
            {
                Assert.True(outcome == FrameErrorKind.Length, $"case {i}: {length} bytes reported {Describe(outcome)}");
            }
        }

        Assert.All(lengths, count => Assert.True(count > 0, "every length from 0 to 64 was tried"));
    }

    [Fact]
    public void Random_frames_with_a_valid_header_and_CRC_are_judged_by_the_normative_order()
    {
        var random = new Random(50_002);
        var outcomes = new Dictionary<FrameErrorKind, int>();
        var accepted = 0;
        for (var i = 0; i < Cases; i++)
        {
            // Arrange: random fields, each often at or next to a reserved value, and a correct CRC.
            var bytes = Raw(
                status: random.Next(3) == 0 ? (byte)random.Next(256) : (byte)random.Next(4),
                pid: random.Next(3) == 0 ? (uint)random.Next(3) : (uint)NextUInt64(random),
                timestamp: random.Next(4) == 0 ? ulong.MaxValue - (ulong)random.Next(2) : NextUInt64(random),
                nonce: random.Next(3) == 0 ? Pick(random, 0, 1, ulong.MaxValue - 1, ulong.MaxValue) : NextUInt64(random),
                payload: (uint)NextUInt64(random));

            // Act
            var outcome = DecodeBothWays(bytes, i);

            // Assert
            var expected = Judge(bytes);
            Assert.True(expected == outcome, $"case {i}: {Convert.ToHexString(bytes)} reported {Describe(outcome)}, expected {Describe(expected)}");
            if (outcome is { } kind)
            {
                outcomes[kind] = outcomes.GetValueOrDefault(kind) + 1;
            }
            else
            {
                accepted++;
            }
        }

        // Every check after the CRC was reached, and valid frames came out too.
        Assert.Equal(
            new[] { FrameErrorKind.Status, FrameErrorKind.StallOnWire, FrameErrorKind.Pid, FrameErrorKind.Timestamp, FrameErrorKind.Nonce },
            outcomes.Keys.Order());
        Assert.True(accepted > 1_000, $"only {accepted} frames were valid");
    }

    [Fact]
    public void Random_frames_with_a_valid_header_and_a_random_CRC_are_CRC_errors_naming_the_right_CRC()
    {
        var random = new Random(50_003);
        for (var i = 0; i < Cases; i++)
        {
            var bytes = new byte[Frame.Size];
            random.NextBytes(bytes);
            bytes[0] = 0x56;
            bytes[1] = 0x41;
            bytes[2] = 0x02;
            var computed = BitwiseCrc32C(bytes.AsSpan(0, 28));
            var stored = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(28));
            if (stored == computed)
            {
                continue; // one chance in four billion
            }

            var rejected = !Frame.TryDecode(bytes, out _, out var error);

            Assert.True(rejected && error == new FrameError(FrameErrorKind.Crc, computed, stored), $"case {i}: {Convert.ToHexString(bytes)} reported {error}");
        }
    }

    /// <summary>
    /// Decodes with both entry points, fails the spec on any exception but <see cref="FrameDecodeException"/> and on any
    /// disagreement between them, and checks that an accepted frame encodes back to the same bytes. Returns the error
    /// kind, or null when the bytes were accepted.
    /// </summary>
    private static FrameErrorKind? DecodeBothWays(byte[] bytes, int i)
    {
        bool accepted;
        Frame frame;
        FrameError error;
        try
        {
            accepted = Frame.TryDecode(bytes, out frame, out error);
        }
        catch (Exception e)
        {
            Assert.Fail($"case {i}: TryDecode threw on {Convert.ToHexString(bytes)}: {e}");
            throw;
        }

        try
        {
            var decoded = Frame.Decode(bytes);
            Assert.True(accepted, $"case {i}: Decode accepted what TryDecode rejected ({error}): {Convert.ToHexString(bytes)}");
            Assert.Equal(frame, decoded);
            Assert.Equal(bytes, decoded.ToBytes());
            return null;
        }
        catch (FrameDecodeException e)
        {
            Assert.False(accepted, $"case {i}: Decode rejected what TryDecode accepted: {Convert.ToHexString(bytes)}");
            Assert.Equal(error, e.Error);
            return error.Kind;
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            Assert.Fail($"case {i}: Decode threw {e.GetType().Name}, not {nameof(FrameDecodeException)}, on {Convert.ToHexString(bytes)}: {e}");
            throw;
        }
    }

    /// <summary>The normative order after the CRC, from docs/formats/vlp.md, for 32 bytes whose header and CRC are valid.</summary>
    private static FrameErrorKind? Judge(byte[] bytes)
    {
        var status = bytes[3];
        var pid = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4));
        var timestamp = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(8));
        var nonce = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(16));
        return status > 3 ? FrameErrorKind.Status
            : status == 3 ? FrameErrorKind.StallOnWire
            : pid is 0 or 1 ? FrameErrorKind.Pid
            : timestamp == ulong.MaxValue ? FrameErrorKind.Timestamp
            : nonce == ulong.MaxValue && status != 2 ? FrameErrorKind.Nonce
            : null;
    }

    private static ulong Pick(Random random, params ulong[] values) => values[random.Next(values.Length)];

    private static string Describe(FrameErrorKind? outcome) => outcome?.ToString() ?? "success";
}
