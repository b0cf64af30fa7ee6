using System.Buffers.Binary;

namespace Tether.Watch.Tests;

/// <summary>
/// The VLP v0.2 codec against docs/formats/vlp.md: golden vectors, the normative decode order and the values each error
/// carries, the reserved values, round trips and single-bit damage. Every expected byte and CRC here comes from the
/// test's own writer and bit-by-bit CRC-32C, never from the code under test. (The spec's own golden frame is in
/// <see cref="GoldenFrameSpecs"/>.)
/// </summary>
public sealed class FrameCodecSpecs
{
    /// <summary>Frames and their 32 bytes as hex, computed by hand (Python, bit-by-bit CRC-32C); also listed in vlp.md.</summary>
    public static readonly TheoryData<string, BeatStatus, uint, ulong, ulong, uint> GoldenVectors = new()
    {
        { "56410200020000000000000000000000010000000000000000000000e4116baa", BeatStatus.Ok, 2, 0, 1, 0 },
        { "564102019210000000ca9a3b0000000007000000000000007b000000dab20b2b", BeatStatus.Degraded, 4242, 1_000_000_000, 7, 123 },
        { "5641020278563412efcdab89674523018877665544332211efbeadde387029c9", BeatStatus.Critical, 0x12345678, 0x0123456789ABCDEF, 0x1122334455667788, 0xDEADBEEF },
        { "564102020200000000f2052a01000000ffffffffffffffff000000004f2046d6", BeatStatus.Critical, 2, 5_000_000_000, ulong.MaxValue, 0 },
        { "56410200fffffffffefffffffffffffffeffffffffffffffffffffff9e793a79", BeatStatus.Ok, uint.MaxValue, ulong.MaxValue - 1, ulong.MaxValue - 1, uint.MaxValue },
    };

    [Fact]
    public void The_test_CRC_is_CRC32C_with_the_standard_check_value()
    {
        Assert.Equal(0xE3069283u, BitwiseCrc32C("123456789"u8));
    }

    [Theory]
    [MemberData(nameof(GoldenVectors))]
    public void Hand_computed_frames_encode_and_decode_byte_for_byte(string hex, BeatStatus status, uint pid, ulong timestamp, ulong nonce, uint payload)
    {
        // Arrange
        var frame = new Frame(status, pid, timestamp, nonce, payload);
        var bytes = Convert.FromHexString(hex);

        // Act
        var encoded = frame.ToBytes();
        var decoded = Frame.Decode(bytes);

        // Assert
        Assert.Equal(hex, Convert.ToHexString(encoded).ToLowerInvariant());
        Assert.Equal(BitwiseCrc32C(bytes.AsSpan(0, 28)), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(28)));
        Assert.Equal(frame, decoded);
    }

    [Fact]
    public void Every_field_sits_at_its_offset_little_endian()
    {
        var frame = new Frame(BeatStatus.Degraded, 0x04030201, 0x0C0B0A0908070605, 0x14131211100F0E0D, 0x18171615);

        var bytes = frame.ToBytes();

        Assert.Equal(TestWriter(frame), bytes);
        Assert.Equal(new byte[] { 0x56, 0x41, 0x02, 0x01 }, bytes[..4]);
        Assert.Equal(Enumerable.Range(1, 24).Select(i => (byte)i), bytes[4..28]);
    }

    // ---- The normative order: a frame with several faults reports the earliest. ----

    [Fact]
    public void A_frame_of_the_wrong_length_is_a_length_error_whatever_else_is_wrong()
    {
        var bytes = Faulty(FrameErrorKind.Length, FrameErrorKind.Magic, FrameErrorKind.Version, FrameErrorKind.Crc, FrameErrorKind.StallOnWire, FrameErrorKind.Pid, FrameErrorKind.Timestamp, FrameErrorKind.Nonce);

        var error = DecodeError(bytes);

        Assert.Equal(FrameErrorKind.Length, error.Kind);
    }

    [Fact]
    public void Bad_magic_is_reported_before_a_bad_version_and_a_bad_CRC()
    {
        var bytes = Faulty(FrameErrorKind.Magic, FrameErrorKind.Version, FrameErrorKind.Crc, FrameErrorKind.Status, FrameErrorKind.Pid, FrameErrorKind.Timestamp, FrameErrorKind.Nonce);

        var error = DecodeError(bytes);

        Assert.Equal(FrameErrorKind.Magic, error.Kind);
    }

    [Fact]
    public void A_bad_version_is_reported_before_a_bad_CRC()
    {
        var bytes = Faulty(FrameErrorKind.Version, FrameErrorKind.Crc, FrameErrorKind.StallOnWire, FrameErrorKind.Pid, FrameErrorKind.Timestamp, FrameErrorKind.Nonce);

        var error = DecodeError(bytes);

        Assert.Equal(FrameErrorKind.Version, error.Kind);
    }

    [Fact]
    public void A_bad_CRC_is_reported_before_a_stall_on_the_wire()
    {
        var bytes = Faulty(FrameErrorKind.Crc, FrameErrorKind.StallOnWire);

        var error = DecodeError(bytes);

        Assert.Equal(FrameErrorKind.Crc, error.Kind);
    }

    [Fact]
    public void A_bad_CRC_is_reported_before_an_unknown_status_and_bad_fields()
    {
        var bytes = Faulty(FrameErrorKind.Crc, FrameErrorKind.Status, FrameErrorKind.Pid, FrameErrorKind.Timestamp, FrameErrorKind.Nonce);

        var error = DecodeError(bytes);

        Assert.Equal(FrameErrorKind.Crc, error.Kind);
    }

    [Fact]
    public void An_unknown_status_is_reported_before_a_reserved_pid()
    {
        var bytes = Faulty(FrameErrorKind.Status, FrameErrorKind.Pid, FrameErrorKind.Timestamp, FrameErrorKind.Nonce);

        var error = DecodeError(bytes);

        Assert.Equal(FrameErrorKind.Status, error.Kind);
        Assert.Equal(Faulted.UnknownStatus, error.Actual);
    }

    [Fact]
    public void A_stall_on_the_wire_is_reported_before_a_reserved_pid()
    {
        var bytes = Faulty(FrameErrorKind.StallOnWire, FrameErrorKind.Pid, FrameErrorKind.Timestamp, FrameErrorKind.Nonce);

        var error = DecodeError(bytes);

        Assert.Equal(FrameErrorKind.StallOnWire, error.Kind);
        Assert.Equal((ulong)BeatStatus.Stall, error.Actual);
    }

    [Fact]
    public void A_reserved_pid_is_reported_before_a_reserved_timestamp()
    {
        var bytes = Faulty(FrameErrorKind.Pid, FrameErrorKind.Timestamp, FrameErrorKind.Nonce);

        var error = DecodeError(bytes);

        Assert.Equal(FrameErrorKind.Pid, error.Kind);
    }

    [Fact]
    public void A_reserved_timestamp_is_reported_before_a_bad_nonce()
    {
        var bytes = Faulty(FrameErrorKind.Timestamp, FrameErrorKind.Nonce);

        var error = DecodeError(bytes);

        Assert.Equal(FrameErrorKind.Timestamp, error.Kind);
        Assert.Equal(ulong.MaxValue, error.Actual);
    }

    [Fact]
    public void A_bad_nonce_alone_is_a_nonce_error()
    {
        var bytes = Faulty(FrameErrorKind.Nonce);

        var error = DecodeError(bytes);

        Assert.Equal(FrameErrorKind.Nonce, error.Kind);
    }

    [Fact]
    public void Every_combination_of_faults_reports_the_earliest_in_the_normative_order()
    {
        var kinds = Enum.GetValues<FrameErrorKind>();
        var combinations = 0;
        for (var mask = 0; mask < 1 << kinds.Length; mask++)
        {
            var faults = kinds.Where(k => (mask & (1 << (int)k)) != 0).ToArray();
            if (faults.Contains(FrameErrorKind.Status) && faults.Contains(FrameErrorKind.StallOnWire))
            {
                continue; // both live in the status byte
            }

            var accepted = Frame.TryDecode(Faulty(faults), out _, out var error);

            if (faults.Length == 0)
            {
                Assert.True(accepted, "a frame without faults is valid");
            }
            else
            {
                Assert.False(accepted, $"faults {string.Join(", ", faults)} were accepted");
                Assert.True(faults.Min() == error.Kind, $"faults {string.Join(", ", faults)} reported {error.Kind}, expected {faults.Min()}");
            }

            combinations++;
        }

        Assert.Equal(384, combinations); // 512 subsets of 9 faults, less the 128 with both status faults
    }

    // ---- What each error carries. ----

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(31)]
    [InlineData(33)]
    [InlineData(64)]
    [InlineData(65_536)]
    public void A_length_error_says_32_bytes_were_expected_and_how_many_came(int length)
    {
        var bytes = new byte[length];
        Array.Copy(Faulty(), bytes, Math.Min(length, Frame.Size)); // a valid frame, cut short or padded

        var error = DecodeError(bytes);

        Assert.Equal(new FrameError(FrameErrorKind.Length, 32, (ulong)length), error);
    }

    [Fact]
    public void A_magic_error_carries_the_expected_and_the_actual_magic_as_read_little_endian()
    {
        var bytes = Faulty();
        bytes[0] = 0x41; // "AV": the magic written big-endian
        bytes[1] = 0x56;
        WriteCrc(bytes);

        var error = DecodeError(bytes);

        Assert.Equal(new FrameError(FrameErrorKind.Magic, 0x4156, 0x5641), error);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(255)]
    public void A_version_error_carries_the_expected_and_the_actual_version(byte version)
    {
        var bytes = Faulty();
        bytes[2] = version;
        WriteCrc(bytes);

        var error = DecodeError(bytes);

        Assert.Equal(new FrameError(FrameErrorKind.Version, 2, version), error);
    }

    [Fact]
    public void A_CRC_error_carries_the_computed_and_the_stored_CRC()
    {
        var bytes = Faulty();
        var computed = BitwiseCrc32C(bytes.AsSpan(0, 28));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(28), 0x01020304);

        var error = DecodeError(bytes);

        Assert.Equal(new FrameError(FrameErrorKind.Crc, computed, 0x01020304), error);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(0x80)]
    [InlineData(0xFF)]
    public void A_status_beyond_stall_is_an_unknown_status(byte status)
    {
        var bytes = Raw(status, pid: 2, timestamp: 0, nonce: 1, payload: 0);

        var error = DecodeError(bytes);

        Assert.Equal(FrameErrorKind.Status, error.Kind);
        Assert.Equal(status, error.Actual);
    }

    [Fact]
    public void The_three_wire_statuses_are_accepted()
    {
        foreach (var status in new[] { BeatStatus.Ok, BeatStatus.Degraded, BeatStatus.Critical })
        {
            var frame = Frame.Decode(Raw((byte)status, pid: 2, timestamp: 0, nonce: 1, payload: 0));

            Assert.Equal(status, frame.Status);
        }
    }

    // ---- Reserved values. ----

    [Theory]
    [InlineData(0u)]
    [InlineData(1u)]
    public void Pids_0_and_1_are_reserved(uint pid)
    {
        var bytes = Raw(0, pid, timestamp: 0, nonce: 1, payload: 0);

        var error = DecodeError(bytes);

        Assert.Equal(FrameErrorKind.Pid, error.Kind);
        Assert.Equal(pid, error.Actual);
    }

    [Theory]
    [InlineData(2u)]
    [InlineData(4_194_304u)]
    [InlineData(uint.MaxValue)]
    public void Any_pid_from_2_is_accepted(uint pid)
    {
        var frame = Frame.Decode(Raw(0, pid, timestamp: 0, nonce: 1, payload: 0));

        Assert.Equal(pid, frame.Pid);
    }

    [Fact]
    public void The_all_ones_timestamp_is_reserved_and_the_one_below_is_not()
    {
        var reserved = DecodeError(Raw(0, pid: 2, timestamp: ulong.MaxValue, nonce: 1, payload: 0));
        var highest = Frame.Decode(Raw(0, pid: 2, timestamp: ulong.MaxValue - 1, nonce: 1, payload: 0));

        Assert.Equal(new FrameError(FrameErrorKind.Timestamp, 0, ulong.MaxValue), reserved);
        Assert.Equal(ulong.MaxValue - 1, highest.Timestamp);
    }

    [Fact]
    public void Nonce_0_is_valid_as_the_reference_allows_a_wrapped_nonce()
    {
        // varta's conformance vector frame-ok-nonce-wrapped-to-zero: ok, pid 2, timestamp 1, nonce 0, payload 0.
        var bytes = Convert.FromHexString("56410200020000000100000000000000000000000000000000000000693259ac");

        var frame = Frame.Decode(bytes);

        Assert.Equal(new Frame(BeatStatus.Ok, 2, 1, 0, 0), frame);
        Assert.Equal(bytes, frame.ToBytes());
    }

    // ---- The terminated marker. ----

    [Fact]
    public void Critical_with_the_all_ones_nonce_is_the_terminated_marker()
    {
        var sent = Frame.Terminated(pid: 4242, timestamp: 5_000_000_000, payload: 3);

        var received = Frame.Decode(sent.ToBytes());

        Assert.Equal(new Frame(BeatStatus.Critical, 4242, 5_000_000_000, ulong.MaxValue, 3), received);
        Assert.True(received.IsTerminated);
    }

    [Theory]
    [InlineData(BeatStatus.Ok)]
    [InlineData(BeatStatus.Degraded)]
    public void The_all_ones_nonce_without_critical_is_a_nonce_error(BeatStatus status)
    {
        var error = DecodeError(Raw((byte)status, pid: 2, timestamp: 0, nonce: ulong.MaxValue, payload: 0));

        Assert.Equal(new FrameError(FrameErrorKind.Nonce, 0, ulong.MaxValue), error);
        Assert.Equal("the all-ones nonce is valid only with the critical status", error.ToString());
    }

    [Fact]
    public void Critical_with_an_ordinary_nonce_is_not_the_terminated_marker()
    {
        var frame = Frame.Decode(Raw((byte)BeatStatus.Critical, pid: 2, timestamp: 0, nonce: ulong.MaxValue - 1, payload: 0));

        Assert.Equal(BeatStatus.Critical, frame.Status);
        Assert.False(frame.IsTerminated);
    }

    // ---- Round trips and damage. ----

    [Fact]
    public void Ten_thousand_random_valid_frames_survive_a_round_trip_byte_for_byte()
    {
        // Arrange
        var random = new Random(20_251_122);
        for (var i = 0; i < 10_000; i++)
        {
            var frame = RandomValidFrame(random);

            // Act
            var bytes = frame.ToBytes();
            var accepted = Frame.TryDecode(bytes, out var decoded, out var error);

            // Assert
            Assert.True(accepted, $"case {i}: {frame} was rejected: {error}");
            Assert.Equal(frame, decoded);
            Assert.Equal(TestWriter(frame), bytes);
            Assert.Equal(bytes, decoded.ToBytes());
        }
    }

    [Theory]
    [MemberData(nameof(GoldenVectors))]
    public void Every_single_bit_flip_of_a_valid_frame_is_rejected(string hex, BeatStatus status, uint pid, ulong timestamp, ulong nonce, uint payload)
    {
        Assert.Equal(new Frame(status, pid, timestamp, nonce, payload), Frame.Decode(Convert.FromHexString(hex)));
        for (var bit = 0; bit < Frame.Size * 8; bit++)
        {
            // Arrange
            var bytes = Convert.FromHexString(hex);
            bytes[bit / 8] ^= (byte)(1 << (bit % 8));

            // Act
            var accepted = Frame.TryDecode(bytes, out _, out var error);

            // Assert: header damage is named as such, anything else is caught by the CRC.
            var expected = bit < 16 ? FrameErrorKind.Magic : bit < 24 ? FrameErrorKind.Version : FrameErrorKind.Crc;
            Assert.False(accepted, $"flipping bit {bit} was accepted");
            Assert.True(expected == error.Kind, $"flipping bit {bit} reported {error.Kind}, expected {expected}");
        }
    }

    // ---- Encode, Decode and the error's text. ----

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    public void Encoding_into_a_span_shorter_than_32_bytes_fails_without_writing(int length)
    {
        var destination = Enumerable.Repeat((byte)0xEE, length).ToArray();
        var frame = new Frame(BeatStatus.Ok, 2, 0, 1, 0);

        var thrown = Assert.Throws<ArgumentException>(() => frame.Encode(destination));

        Assert.Equal("destination", thrown.ParamName);
        Assert.All(destination, b => Assert.Equal(0xEE, b));
    }

    [Fact]
    public void Encoding_into_a_larger_span_writes_the_first_32_bytes_only()
    {
        var destination = Enumerable.Repeat((byte)0xEE, 40).ToArray();
        var frame = new Frame(BeatStatus.Degraded, 4242, 1_000_000_000, 7, 123);

        frame.Encode(destination);

        Assert.Equal(frame.ToBytes(), destination[..32]);
        Assert.All(destination[32..], b => Assert.Equal(0xEE, b));
    }

    [Fact]
    public void Encoding_does_not_validate_and_decoding_does()
    {
        var invalid = new Frame(BeatStatus.Stall, Pid: 0, Timestamp: 0, Nonce: 0, Payload: 0);

        var bytes = invalid.ToBytes();

        Assert.Equal(TestWriter(invalid), bytes);
        Assert.Equal(FrameErrorKind.StallOnWire, DecodeError(bytes).Kind);
    }

    [Fact]
    public void Decode_throws_the_error_TryDecode_reports_and_leaves_no_partial_frame()
    {
        var bytes = Faulty(FrameErrorKind.Pid);

        var accepted = Frame.TryDecode(bytes, out var frame, out var error);
        var thrown = Assert.Throws<FrameDecodeException>(() => Frame.Decode(bytes));

        Assert.False(accepted);
        Assert.Equal(default, frame);
        Assert.Equal(error, thrown.Error);
        Assert.IsAssignableFrom<FormatException>(thrown);
        Assert.Equal($"Not a VLP v0.2 frame: {error}.", thrown.Message);
    }

    [Fact]
    public void Every_error_reads_as_one_line()
    {
        var errors = new[]
        {
            DecodeError(new byte[31]),
            DecodeError(Faulty(FrameErrorKind.Magic)),
            DecodeError(Faulty(FrameErrorKind.Version)),
            DecodeError(Faulty(FrameErrorKind.Crc)),
            DecodeError(Faulty(FrameErrorKind.Status)),
            DecodeError(Faulty(FrameErrorKind.StallOnWire)),
            DecodeError(Faulty(FrameErrorKind.Pid)),
            DecodeError(Faulty(FrameErrorKind.Timestamp)),
            DecodeError(Faulty(FrameErrorKind.Nonce)),
            DecodeError(Raw(0, pid: 2, timestamp: 0, nonce: ulong.MaxValue, payload: 0)),
        };

        Assert.Equal(Enum.GetValues<FrameErrorKind>(), errors.Select(e => e.Kind).Distinct());
        Assert.All(errors, error =>
        {
            var text = error.ToString();
            Assert.False(string.IsNullOrWhiteSpace(text));
            Assert.DoesNotContain('\n', text);
            Assert.DoesNotContain('\r', text);
        });
        Assert.Equal("a frame is exactly 32 bytes, got 31", errors[0].ToString());
        Assert.Equal("bad magic 0x4157, expected 0x4156", errors[1].ToString());
        Assert.Equal("unsupported version 3, expected 2", errors[2].ToString());
        Assert.Matches("^bad CRC-32C 0x[0-9a-f]{8}, expected 0x[0-9a-f]{8}$", errors[3].ToString());
        Assert.Equal("pid 0 is reserved", errors[6].ToString());
    }

    // ---- The test's own encoder, CRC and fault injector: independent of the code under test. ----

    /// <summary>The values <see cref="Faulty"/> plants.</summary>
    internal static class Faulted
    {
        public const byte UnknownStatus = 7;
    }

    /// <summary>
    /// A degraded frame (pid 4242, timestamp 1e9, nonce 7, payload 123) with the given faults planted independently:
    /// field faults first, then the header, then a CRC over the result (wrong on purpose for <see cref="FrameErrorKind.Crc"/>),
    /// then one extra byte for <see cref="FrameErrorKind.Length"/>. Status and StallOnWire both use the status byte; with
    /// both, Status wins.
    /// </summary>
    internal static byte[] Faulty(params FrameErrorKind[] faults)
    {
        var status = faults.Contains(FrameErrorKind.Status) ? Faulted.UnknownStatus
            : faults.Contains(FrameErrorKind.StallOnWire) ? (byte)BeatStatus.Stall
            : (byte)BeatStatus.Degraded;
        var bytes = Raw(
            status,
            pid: faults.Contains(FrameErrorKind.Pid) ? 0u : 4242u,
            timestamp: faults.Contains(FrameErrorKind.Timestamp) ? ulong.MaxValue : 1_000_000_000ul,
            nonce: faults.Contains(FrameErrorKind.Nonce) ? ulong.MaxValue : 7ul,
            payload: 123);
        if (faults.Contains(FrameErrorKind.Magic))
        {
            bytes[0] = 0x57; // "WA"
        }

        if (faults.Contains(FrameErrorKind.Version))
        {
            bytes[2] = 0x03;
        }

        WriteCrc(bytes);
        if (faults.Contains(FrameErrorKind.Crc))
        {
            bytes[28] ^= 0x01;
        }

        if (faults.Contains(FrameErrorKind.Length))
        {
            Array.Resize(ref bytes, Frame.Size + 1);
        }

        return bytes;
    }

    /// <summary>32 bytes with the VLP v0.2 header, the given raw field values and a correct CRC.</summary>
    internal static byte[] Raw(byte status, uint pid, ulong timestamp, ulong nonce, uint payload)
    {
        var bytes = new byte[Frame.Size];
        bytes[0] = 0x56;
        bytes[1] = 0x41;
        bytes[2] = 0x02;
        bytes[3] = status;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), pid);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8), timestamp);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(16), nonce);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(24), payload);
        WriteCrc(bytes);
        return bytes;
    }

    /// <summary>The bytes <paramref name="frame"/> must encode to, written by the test.</summary>
    internal static byte[] TestWriter(Frame frame) => Raw((byte)frame.Status, frame.Pid, frame.Timestamp, frame.Nonce, frame.Payload);

    /// <summary>Stores the CRC-32C of bytes 0–27 in bytes 28–31.</summary>
    internal static void WriteCrc(byte[] bytes) =>
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(28), BitwiseCrc32C(bytes.AsSpan(0, 28)));

    /// <summary>CRC-32C by its definition, bit by bit: reflected polynomial 0x82F63B78, initial and final value all-ones.</summary>
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

    /// <summary>A random valid frame, with the edges of every field (reserved values' neighbours) drawn often.</summary>
    internal static Frame RandomValidFrame(Random random)
    {
        var status = (BeatStatus)random.Next(3);
        var pid = random.Next(4) switch
        {
            0 => 2u,
            1 => uint.MaxValue,
            _ => (uint)random.NextInt64(2, 1L + uint.MaxValue),
        };
        var timestamp = random.Next(4) switch
        {
            0 => 0ul,
            1 => ulong.MaxValue - 1,
            _ => Math.Min(NextUInt64(random), ulong.MaxValue - 1),
        };
        var nonce = random.Next(5) switch
        {
            0 => 1ul,
            1 => ulong.MaxValue - 1,
            2 when status == BeatStatus.Critical => ulong.MaxValue,
            _ => Math.Clamp(NextUInt64(random), 1ul, ulong.MaxValue - 1),
        };
        var payload = random.Next(4) switch
        {
            0 => 0u,
            1 => uint.MaxValue,
            _ => (uint)NextUInt64(random),
        };
        return new Frame(status, pid, timestamp, nonce, payload);
    }

    internal static ulong NextUInt64(Random random)
    {
        Span<byte> bytes = stackalloc byte[8];
        random.NextBytes(bytes);
        return BinaryPrimitives.ReadUInt64LittleEndian(bytes);
    }

    private static FrameError DecodeError(byte[] bytes)
    {
        var accepted = Frame.TryDecode(bytes, out var frame, out var error);
        Assert.False(accepted, $"{Convert.ToHexString(bytes)} was accepted as {frame}");
        return error;
    }
}
