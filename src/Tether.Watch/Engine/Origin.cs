namespace Tether.Watch;

/// <summary>
/// How much a beat's sender can be trusted to be who its frame says, strongest last. A weaker origin never replaces a
/// stronger one for the same agent, and recovery runs only for <see cref="OperatorAttested"/> and
/// <see cref="KernelAttested"/> agents.
/// </summary>
public enum Origin
{
    /// <summary>UDP from anywhere: the frame's pid is only a claim.</summary>
    NetworkUnverified = 0,

    /// <summary>The Unix socket without kernel credentials: only the socket's file mode stood between sender and watcher.</summary>
    SocketModeOnly = 1,

    /// <summary>UDP that the operator explicitly trusts (<c>--trust-udp</c>).</summary>
    OperatorAttested = 2,

    /// <summary>The Unix socket with the sender's kernel credentials (SCM_CREDENTIALS): the pid is the kernel's word.</summary>
    KernelAttested = 3,
}

/// <summary>
/// What the listener that received a datagram knows about its sender — gathered at the edge, so the engine never reads
/// the OS itself, and recorded with the datagram so every decision can be replayed.
/// </summary>
/// <param name="Origin">How the datagram arrived.</param>
/// <param name="SenderPid">The sender's pid as the kernel reported it (SCM_CREDENTIALS), else null.</param>
/// <param name="SenderUid">The sender's uid as the kernel reported it, else null.</param>
/// <param name="SameNamespace">Whether the sender is in the watcher's PID namespace; null when unknown.</param>
/// <param name="StartTime">The start time (clock ticks since boot, <c>/proc/PID/stat</c> field 22) of the process the frame's pid names, read when the datagram arrived; null when unknown (UDP, or already gone).</param>
/// <param name="Peer">The sender's address for UDP (for events and audit), else null.</param>
public sealed record OriginFacts(Origin Origin, int? SenderPid = null, int? SenderUid = null, bool? SameNamespace = null, ulong? StartTime = null, string? Peer = null);
