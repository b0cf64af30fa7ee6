namespace Tether.Watch;

/// <summary>Why a beat was dropped after it decoded.</summary>
public enum DropReason
{
    /// <summary>The watcher-wide rate was exceeded (dropped before decoding).</summary>
    GlobalRateLimited,

    /// <summary>The agent sent faster than its rate.</summary>
    AgentRateLimited,

    /// <summary>The nonce was not above the agent's last one (a replay or a reordering).</summary>
    OutOfOrder,

    /// <summary>The table was full and no agent was silent long enough to be evicted.</summary>
    CapacityFull,
}

/// <summary>Why a stalled agent was not recovered. None of these uses up the debounce window.</summary>
public enum RecoveryRefusal
{
    /// <summary>The agent is in another PID namespace and cross-namespace agents are not allowed.</summary>
    CrossNamespace,

    /// <summary>Its beats come over UDP nobody vouches for.</summary>
    NetworkUnverified,

    /// <summary>Its beats came over the Unix socket without kernel credentials.</summary>
    SocketModeOnly,

    /// <summary>A recovery for the same process ran within the debounce window.</summary>
    Debounced,

    /// <summary>A recovery for the same process is still running.</summary>
    InFlight,

    /// <summary>The in-flight table is full.</summary>
    InFlightFull,

    /// <summary>The debounce ledger is full and no entry's window has passed (fail closed).</summary>
    DebounceLedgerFull,

    /// <summary>The agent beat again before the recovery could run.</summary>
    Resumed,

    /// <summary>The pid now names another process: its start time changed.</summary>
    PidRecycled,

    /// <summary>The agent left the table (terminated or evicted), or no process has its pid any more (it was killed or
    /// died without a goodbye), before the recovery could run.</summary>
    AgentGone,
}

/// <summary>What the engine decided, in order. Some events are requests to the host (marked so).</summary>
public abstract record WatchEvent(TimeSpan At)
{
    /// <summary>A beat was accepted.</summary>
    public sealed record BeatAccepted(TimeSpan At, uint Pid, BeatStatus Status, ulong Nonce, uint Payload, Origin Origin, bool NewAgent) : WatchEvent(At);

    /// <summary>A valid beat was dropped.</summary>
    public sealed record BeatDropped(TimeSpan At, uint Pid, DropReason Reason) : WatchEvent(At);

    /// <summary>A datagram was not a valid frame.</summary>
    public sealed record DecodeFailed(TimeSpan At, FrameError Error, Origin Origin, string? Peer) : WatchEvent(At);

    /// <summary>The frame's pid is not the sender's kernel-reported pid: a spoofing attempt, dropped.</summary>
    public sealed record AuthenticationFailed(TimeSpan At, uint FramePid, int SenderPid) : WatchEvent(At);

    /// <summary>A beat for a known agent arrived through a weaker origin than the agent's, and was dropped.</summary>
    public sealed record OriginConflict(TimeSpan At, uint Pid, Origin Known, Origin Offered) : WatchEvent(At);

    /// <summary>A beat came from another PID namespace and cross-namespace agents are not allowed; dropped.</summary>
    public sealed record NamespaceConflict(TimeSpan At, uint FramePid, int SenderPid) : WatchEvent(At);

    /// <summary>A long-silent agent was evicted to make room for a new one.</summary>
    public sealed record AgentEvicted(TimeSpan At, uint Pid, TimeSpan SilentFor) : WatchEvent(At);

    /// <summary>The agent's pid was reused by another process (its start time changed): it starts fresh.</summary>
    public sealed record PidReused(TimeSpan At, uint Pid) : WatchEvent(At);

    /// <summary>The agent sent its terminal frame (critical, all-ones nonce) and left the table.</summary>
    public sealed record AgentTerminated(TimeSpan At, uint Pid) : WatchEvent(At);

    /// <summary>The agent has been silent for the threshold: once per silence run.</summary>
    public sealed record StallDetected(TimeSpan At, uint Pid, TimeSpan SilentFor, BeatStatus LastStatus, Origin Origin) : WatchEvent(At);

    /// <summary>A stalled agent will not be recovered.</summary>
    public sealed record RecoveryRefused(TimeSpan At, uint Pid, RecoveryRefusal Reason) : WatchEvent(At);

    /// <summary>Request to the host: read the start time of <paramref name="Pid"/> now and answer with <see cref="WatchInput.FreshnessChecked"/>.</summary>
    public sealed record FreshnessCheckRequested(TimeSpan At, long RecoveryId, uint Pid) : WatchEvent(At);

    /// <summary>Request to the host: run the recovery command for <paramref name="Pid"/> and report with <see cref="WatchInput.RecoveryEnded"/>.</summary>
    public sealed record RecoveryStarted(TimeSpan At, long RecoveryId, uint Pid, ulong? StartTime) : WatchEvent(At);

    /// <summary>A recovery ended.</summary>
    public sealed record RecoveryCompleted(TimeSpan At, long RecoveryId, uint Pid, RecoveryResult Result) : WatchEvent(At);
}
