using System.Net.Sockets;

namespace Tether.Watch;

/// <summary>
/// What <see cref="HeartbeatClient.Beat"/> did with one heartbeat: sent it, dropped it (with the reason) or failed. A
/// value type, so that reporting it costs no allocation.
/// </summary>
/// <param name="Outcome">Sent, dropped or failed.</param>
/// <param name="Reason">Why the beat was dropped; <see cref="BeatDropReason.None"/> unless <see cref="Outcome"/> is <see cref="BeatOutcome.Dropped"/>.</param>
/// <param name="Error">
/// The operating system's answer: <see cref="SocketError.Success"/> for a sent beat; otherwise the error of the send,
/// or of the last connection attempt when the beat was not even tried because no connection exists.
/// </param>
/// <param name="Nonce">The nonce the beat carried (or would have carried): every beat takes the next one, sent or not.</param>
public readonly record struct BeatResult(BeatOutcome Outcome, BeatDropReason Reason, SocketError Error, ulong Nonce)
{
    /// <summary>True when the kernel accepted the beat.</summary>
    public bool IsSent => Outcome == BeatOutcome.Sent;

    /// <summary>A short description, such as <c>sent (nonce 3)</c> or <c>dropped: queue full (WouldBlock, nonce 9)</c>.</summary>
    public override string ToString() => Outcome switch
    {
        BeatOutcome.Sent => $"sent (nonce {Nonce})",
        BeatOutcome.Dropped => $"dropped: {Describe(Reason)} ({Error}, nonce {Nonce})",
        _ => $"failed: {Error} (nonce {Nonce})",
    };

    internal static BeatResult Sent(ulong nonce) => new(BeatOutcome.Sent, BeatDropReason.None, SocketError.Success, nonce);

    internal static BeatResult Dropped(BeatDropReason reason, SocketError error, ulong nonce) => new(BeatOutcome.Dropped, reason, error, nonce);

    internal static BeatResult Failed(SocketError error, ulong nonce) => new(BeatOutcome.Failed, BeatDropReason.None, error, nonce);

    private static string Describe(BeatDropReason reason) => reason switch
    {
        BeatDropReason.QueueFull => "queue full",
        BeatDropReason.NoWatcher => "no watcher",
        BeatDropReason.PeerGone => "peer gone",
        _ => "none",
    };
}
