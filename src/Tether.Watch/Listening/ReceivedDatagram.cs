namespace Tether.Watch;

/// <summary>
/// One datagram as a listener received it, undecoded: the engine decodes it (and reports a wrong length, bad CRC, …)
/// with the facts the listener gathered about its sender at arrival.
/// </summary>
/// <param name="Bytes">The first bytes of the datagram — all of it unless it was longer than
/// <see cref="MaxKeptBytes"/>, which no valid frame is.</param>
/// <param name="Length">The datagram's true length, even when only <see cref="MaxKeptBytes"/> of it were kept.</param>
/// <param name="Facts">What the operating system said about the sender.</param>
/// <param name="Timestamp">When it was received: <see cref="TimeProvider.GetTimestamp"/> of the listener's clock.</param>
public readonly record struct ReceivedDatagram(ReadOnlyMemory<byte> Bytes, int Length, OriginFacts Facts, long Timestamp)
{
    /// <summary>How many bytes of a datagram are kept: twice a frame, so an oversized datagram is still seen for what it is.</summary>
    public const int MaxKeptBytes = 2 * Frame.Size;

    /// <summary>True when the datagram was longer than the bytes kept.</summary>
    public bool IsTruncated => Length > Bytes.Length;
}
