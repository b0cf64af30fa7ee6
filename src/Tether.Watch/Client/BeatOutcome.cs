namespace Tether.Watch;

/// <summary>What became of one heartbeat: see <see cref="BeatResult"/>.</summary>
public enum BeatOutcome
{
    /// <summary>
    /// The kernel accepted the datagram. Over a Unix socket it sits in the watcher's queue; over UDP it left this host,
    /// which is no proof that anybody received it.
    /// </summary>
    Sent = 0,

    /// <summary>The beat was not sent, for an expected reason that <see cref="BeatResult.Reason"/> names.</summary>
    Dropped = 1,

    /// <summary>The beat was not sent because the operating system refused it; <see cref="BeatResult.Error"/> says why.</summary>
    Failed = 2,
}
