namespace Tether.Watch;

/// <summary>
/// Everything that enters the engine, each stamped with the watcher's monotonic time (<see cref="At"/>, time since the
/// watcher started, from its <see cref="TimeProvider"/>). A recording of the inputs reproduces every decision.
/// </summary>
public abstract record WatchInput(TimeSpan At)
{
    /// <summary>A datagram a listener received, with what the listener knows about its sender.</summary>
    public sealed record Datagram(TimeSpan At, ReadOnlyMemory<byte> Bytes, OriginFacts Facts) : WatchInput(At);

    /// <summary>Time passed: stalls are detected on ticks.</summary>
    public sealed record Tick(TimeSpan At) : WatchInput(At);

    /// <summary>
    /// The answer to <see cref="WatchEvent.FreshnessCheckRequested"/>: the start time the agent's pid has now (null when
    /// no such process exists), read by the host just before the recovery would run.
    /// </summary>
    public sealed record FreshnessChecked(TimeSpan At, long RecoveryId, ulong? StartTime) : WatchInput(At);

    /// <summary>A recovery the engine asked for ended (or could not start).</summary>
    public sealed record RecoveryEnded(TimeSpan At, long RecoveryId, RecoveryResult Result) : WatchInput(At);
}

/// <summary>How a recovery command ended. Only sizes of its output are kept, never the output.</summary>
/// <param name="Outcome">How it ended; null when it could not start (see <see cref="Failure"/>).</param>
/// <param name="Failure">Why it could not start, else null.</param>
/// <param name="Duration">How long it ran.</param>
/// <param name="StdoutBytes">Bytes of stdout captured.</param>
/// <param name="StderrBytes">Bytes of stderr captured.</param>
/// <param name="Truncated">True when output went past the capture cap.</param>
public sealed record RecoveryResult(Outcome? Outcome, string? Failure, TimeSpan Duration, long StdoutBytes, long StderrBytes, bool Truncated)
{
    /// <summary><c>exited</c>, <c>signalled</c>, <c>timed_out</c> or <c>failed</c>.</summary>
    public string Kind => Outcome switch
    {
        Tether.Outcome.Exited => "exited",
        Tether.Outcome.Signalled => "signalled",
        Tether.Outcome.TimedOut => "timed_out",
        _ => "failed",
    };
}
