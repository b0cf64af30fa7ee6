using System.Globalization;

namespace Tether.Watch;

/// <summary>Why bytes are not a valid VLP v0.2 frame, in the normative decode order.</summary>
public enum FrameErrorKind
{
    /// <summary>Not exactly 32 bytes.</summary>
    Length,

    /// <summary>Bytes 0–1 are not <c>0x56 0x41</c> ("VA").</summary>
    Magic,

    /// <summary>Byte 2 is not <c>0x02</c>.</summary>
    Version,

    /// <summary>The CRC-32C in bytes 28–31 does not match bytes 0–27.</summary>
    Crc,

    /// <summary>The status byte is not a known status.</summary>
    Status,

    /// <summary>The status is <see cref="BeatStatus.Stall"/>, which only an observer may use.</summary>
    StallOnWire,

    /// <summary>The pid is 0 or 1 (reserved).</summary>
    Pid,

    /// <summary>The timestamp is all-ones (reserved).</summary>
    Timestamp,

    /// <summary>The nonce is all-ones without the critical status.</summary>
    Nonce,
}

/// <summary>A decode failure: the first check that failed, with what was expected and what was found where that applies.</summary>
/// <param name="Kind">The check that failed.</param>
/// <param name="Expected">The expected value (length 32, magic 0x4156, version 2, the computed CRC), else 0.</param>
/// <param name="Actual">The value found.</param>
public readonly record struct FrameError(FrameErrorKind Kind, ulong Expected, ulong Actual)
{
    /// <summary>A one-line description.</summary>
    public override string ToString() => Kind switch
    {
        FrameErrorKind.Length => Invariant($"a frame is exactly {Expected} bytes, got {Actual}"),
        FrameErrorKind.Magic => Invariant($"bad magic 0x{Actual:x4}, expected 0x{Expected:x4}"),
        FrameErrorKind.Version => Invariant($"unsupported version {Actual}, expected {Expected}"),
        FrameErrorKind.Crc => Invariant($"bad CRC-32C 0x{Actual:x8}, expected 0x{Expected:x8}"),
        FrameErrorKind.Status => Invariant($"unknown status {Actual}"),
        FrameErrorKind.StallOnWire => "status 3 (stall) is the observer's own and is not valid on the wire",
        FrameErrorKind.Pid => Invariant($"pid {Actual} is reserved"),
        FrameErrorKind.Timestamp => "the all-ones timestamp is reserved",
        _ => "the all-ones nonce is valid only with the critical status",
    };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Bytes that are not a valid VLP v0.2 frame; <see cref="Error"/> says which check failed.</summary>
public sealed class FrameDecodeException : FormatException
{
    internal FrameDecodeException(FrameError error)
        : base("Not a VLP v0.2 frame: " + error + ".")
    {
        Error = error;
    }

    /// <summary>The first check that failed.</summary>
    public FrameError Error { get; }
}
