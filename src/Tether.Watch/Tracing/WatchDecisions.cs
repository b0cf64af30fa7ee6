using System.Runtime.InteropServices;
using Tether.Lab;

namespace Tether.Watch;

/// <summary>
/// The hash of the events one input caused, as a trace records it: every field of every event, in order, with no
/// allocation (strings are hashed through their characters, never <see cref="string.GetHashCode()"/>, which differs
/// from run to run).
/// </summary>
public static class WatchDecisions
{
    /// <summary>The hash of <paramref name="events"/>.</summary>
    public static ulong Hash(IReadOnlyList<WatchEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var hash = DecisionHash.Empty;
        for (var i = 0; i < events.Count; i++)
        {
            hash = Add(hash, events[i]);
        }

        return hash;
    }

    private static ulong Add(ulong h, WatchEvent e)
    {
        h = DecisionHash.Add(h, e.At.Ticks);
        switch (e)
        {
            case WatchEvent.BeatAccepted a:
                // The most common decision by far: small fields packed into one word.
                h = DecisionHash.Add(h, 1UL | ((ulong)a.Status << 8) | ((ulong)a.Origin << 16) | (a.NewAgent ? 1UL << 24 : 0) | ((ulong)a.Pid << 32));
                h = DecisionHash.Add(h, a.Nonce);
                return DecisionHash.Add(h, a.Payload);
            case WatchEvent.BeatDropped d:
                return DecisionHash.Add(DecisionHash.Add(DecisionHash.Add(h, 2UL), d.Pid), (ulong)d.Reason);
            case WatchEvent.DecodeFailed f:
                h = DecisionHash.Add(h, 3UL);
                h = DecisionHash.Add(h, (ulong)f.Error.Kind);
                h = DecisionHash.Add(h, f.Error.Expected);
                h = DecisionHash.Add(h, f.Error.Actual);
                h = DecisionHash.Add(h, (ulong)f.Origin);
                return AddText(h, f.Peer);
            case WatchEvent.AuthenticationFailed s:
                return DecisionHash.Add(DecisionHash.Add(DecisionHash.Add(h, 4UL), s.FramePid), (long)s.SenderPid);
            case WatchEvent.OriginConflict o:
                return DecisionHash.Add(DecisionHash.Add(DecisionHash.Add(DecisionHash.Add(h, 5UL), o.Pid), (ulong)o.Known), (ulong)o.Offered);
            case WatchEvent.NamespaceConflict n:
                return DecisionHash.Add(DecisionHash.Add(DecisionHash.Add(h, 6UL), n.FramePid), (long)n.SenderPid);
            case WatchEvent.AgentEvicted v:
                return DecisionHash.Add(DecisionHash.Add(DecisionHash.Add(h, 7UL), v.Pid), v.SilentFor.Ticks);
            case WatchEvent.PidReused r:
                return DecisionHash.Add(DecisionHash.Add(h, 8UL), r.Pid);
            case WatchEvent.AgentTerminated t:
                return DecisionHash.Add(DecisionHash.Add(h, 9UL), t.Pid);
            case WatchEvent.StallDetected s:
                h = DecisionHash.Add(h, 10UL);
                h = DecisionHash.Add(h, s.Pid);
                h = DecisionHash.Add(h, s.SilentFor.Ticks);
                h = DecisionHash.Add(h, (ulong)s.LastStatus);
                return DecisionHash.Add(h, (ulong)s.Origin);
            case WatchEvent.RecoveryRefused f:
                return DecisionHash.Add(DecisionHash.Add(DecisionHash.Add(h, 11UL), f.Pid), (ulong)f.Reason);
            case WatchEvent.FreshnessCheckRequested c:
                return DecisionHash.Add(DecisionHash.Add(DecisionHash.Add(h, 12UL), c.RecoveryId), c.Pid);
            case WatchEvent.RecoveryStarted s:
                h = DecisionHash.Add(h, 13UL);
                h = DecisionHash.Add(h, s.RecoveryId);
                h = DecisionHash.Add(h, s.Pid);
                return DecisionHash.Add(h, s.StartTime ?? ulong.MaxValue);
            case WatchEvent.RecoveryCompleted c:
                h = DecisionHash.Add(h, 14UL);
                h = DecisionHash.Add(h, c.RecoveryId);
                h = DecisionHash.Add(h, c.Pid);
                h = AddText(h, c.Result.Kind);
                h = AddText(h, c.Result.Failure);
                h = DecisionHash.Add(h, c.Result.Duration.Ticks);
                h = DecisionHash.Add(h, c.Result.StdoutBytes);
                return DecisionHash.Add(h, c.Result.StderrBytes);
            default:
                return DecisionHash.Add(h, 99UL);
        }
    }

    private static ulong AddText(ulong h, string? text)
    {
        if (text is null)
        {
            return DecisionHash.Add(h, ulong.MaxValue);
        }

        h = DecisionHash.Add(h, (ulong)text.Length);
        foreach (var word in MemoryMarshal.Cast<char, ushort>(text.AsSpan()))
        {
            h = DecisionHash.Add(h, word);
        }

        return h;
    }
}
