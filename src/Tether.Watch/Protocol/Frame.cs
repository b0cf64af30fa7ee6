using System.Buffers.Binary;
using Tether.Checksums;

namespace Tether.Watch;

/// <summary>
/// One VLP v0.2 heartbeat: exactly 32 bytes, little-endian — magic <c>56 41</c>, version <c>02</c>, status, pid (u32),
/// timestamp (u64, the emitter's monotonic nanoseconds), nonce (u64, from 1, strictly increasing), payload (u32), and
/// the CRC-32C of bytes 0–27 in bytes 28–31. See docs/formats/vlp.md.
/// </summary>
/// <param name="Status">The agent's health.</param>
/// <param name="Pid">The sender's pid (0 and 1 are reserved).</param>
/// <param name="Timestamp">The emitter's monotonic clock in nanoseconds (all-ones is reserved).</param>
/// <param name="Nonce">The beat's sequence number: from 1, strictly increasing (wrapping to 0 after all-ones − 1); all-ones with critical marks termination.</param>
/// <param name="Payload">An application value (a queue depth, a progress counter, …).</param>
public readonly record struct Frame(BeatStatus Status, uint Pid, ulong Timestamp, ulong Nonce, uint Payload)
{
    /// <summary>The size of every frame.</summary>
    public const int Size = 32;

    /// <summary>The protocol version byte.</summary>
    public const byte Version = 2;

    /// <summary>The nonce that, with <see cref="BeatStatus.Critical"/>, says the agent is terminating.</summary>
    public const ulong TerminatedNonce = ulong.MaxValue;

    private const ushort Magic = 0x4156; // "VA" read little-endian

    /// <summary>True for the "terminated" marker: critical status with the all-ones nonce.</summary>
    public bool IsTerminated => Status == BeatStatus.Critical && Nonce == TerminatedNonce;

    /// <summary>The terminal frame an agent sends as its last word.</summary>
    public static Frame Terminated(uint pid, ulong timestamp, uint payload = 0) => new(BeatStatus.Critical, pid, timestamp, TerminatedNonce, payload);

    /// <summary>Writes the 32 bytes of this frame (with its CRC) to <paramref name="destination"/>. Does not validate the fields.</summary>
    public void Encode(Span<byte> destination)
    {
        if (destination.Length < Size)
        {
            throw new ArgumentException($"A frame needs {Size} bytes; the destination has {destination.Length}.", nameof(destination));
        }

        BinaryPrimitives.WriteUInt16LittleEndian(destination, Magic);
        destination[2] = Version;
        destination[3] = (byte)Status;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Pid);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], Timestamp);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[16..], Nonce);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[24..], Payload);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[28..], Crc32C.Compute(destination[..28]));
    }

    /// <summary>The 32 bytes of this frame.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[Size];
        Encode(bytes);
        return bytes;
    }

    /// <summary>Decodes a frame, checking in the normative order; the first failure is returned in <paramref name="error"/>.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, out Frame frame, out FrameError error)
    {
        frame = default;
        if (bytes.Length != Size)
        {
            error = new FrameError(FrameErrorKind.Length, Size, (ulong)bytes.Length);
            return false;
        }

        var magic = BinaryPrimitives.ReadUInt16LittleEndian(bytes);
        if (magic != Magic)
        {
            error = new FrameError(FrameErrorKind.Magic, Magic, magic);
            return false;
        }

        if (bytes[2] != Version)
        {
            error = new FrameError(FrameErrorKind.Version, Version, bytes[2]);
            return false;
        }

        var expectedCrc = Crc32C.Compute(bytes[..28]);
        var actualCrc = BinaryPrimitives.ReadUInt32LittleEndian(bytes[28..]);
        if (expectedCrc != actualCrc)
        {
            error = new FrameError(FrameErrorKind.Crc, expectedCrc, actualCrc);
            return false;
        }

        var status = bytes[3];
        if (status > (byte)BeatStatus.Stall)
        {
            error = new FrameError(FrameErrorKind.Status, 0, status);
            return false;
        }

        if (status == (byte)BeatStatus.Stall)
        {
            error = new FrameError(FrameErrorKind.StallOnWire, 0, status);
            return false;
        }

        var pid = BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]);
        if (pid <= 1)
        {
            error = new FrameError(FrameErrorKind.Pid, 0, pid);
            return false;
        }

        var timestamp = BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]);
        if (timestamp == ulong.MaxValue)
        {
            error = new FrameError(FrameErrorKind.Timestamp, 0, timestamp);
            return false;
        }

        var nonce = BinaryPrimitives.ReadUInt64LittleEndian(bytes[16..]);
        // Nonce 0 is valid: a sender's nonce wraps from all-ones − 1 to 0, as the reference (varta) allows.
        if (nonce == TerminatedNonce && status != (byte)BeatStatus.Critical)
        {
            error = new FrameError(FrameErrorKind.Nonce, 0, nonce);
            return false;
        }

        frame = new Frame((BeatStatus)status, pid, timestamp, nonce, BinaryPrimitives.ReadUInt32LittleEndian(bytes[24..]));
        error = default;
        return true;
    }

    /// <summary>Decodes a frame.</summary>
    /// <exception cref="FrameDecodeException">The bytes are not a valid frame; the first failed check is named.</exception>
    public static Frame Decode(ReadOnlySpan<byte> bytes) =>
        TryDecode(bytes, out var frame, out var error) ? frame : throw new FrameDecodeException(error);
}
