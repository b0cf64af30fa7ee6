namespace Tether.Watch;

/// <summary>
/// A recovery that finished, as <see cref="RecoveryRunner.Reap"/> reports it: either it ran to an
/// <see cref="Outcome"/>, or it failed (<see cref="Failure"/>) — typically it could not start. Never holds the child's
/// argv, environment or output; only the sizes of what was captured.
/// </summary>
/// <param name="RecoveryId">The id given to <see cref="RecoveryRunner.TryStart"/>.</param>
/// <param name="Pid">The agent's pid the recovery was for.</param>
/// <param name="Outcome">How the child ended (<see cref="Outcome.Exited"/>, <see cref="Outcome.Signalled"/>, <see cref="Outcome.TimedOut"/>); null exactly when <see cref="Failure"/> is set.</param>
/// <param name="Failure">Why there is no outcome (the program was not found, could not be spawned, …); null when it ran.</param>
/// <param name="Duration">From <see cref="RecoveryRunner.TryStart"/> to the end of the child's run (the tree gone), on the runner's <see cref="TimeProvider"/>.</param>
/// <param name="StdoutBytes">Bytes of stdout kept (at most <see cref="RecoveryOptions.CaptureBytes"/>).</param>
/// <param name="StderrBytes">Bytes of stderr kept (at most <see cref="RecoveryOptions.CaptureBytes"/>).</param>
/// <param name="StdoutTruncated">True when stdout produced more than the cap and the rest was dropped.</param>
/// <param name="StderrTruncated">True when stderr produced more than the cap and the rest was dropped.</param>
public sealed record RecoveryCompletion(
    long RecoveryId,
    int Pid,
    Outcome? Outcome,
    RecoveryFailure? Failure,
    TimeSpan Duration,
    long StdoutBytes,
    long StderrBytes,
    bool StdoutTruncated,
    bool StderrTruncated)
{
    /// <summary>True when the child exited by itself with code 0.</summary>
    public bool IsSuccess => Outcome is Tether.Outcome.Exited { Code: 0 };

    /// <summary>True when either stream was truncated.</summary>
    public bool Truncated => StdoutTruncated || StderrTruncated;

    /// <summary>A one-line summary without output: id, pid, and the outcome or the failure.</summary>
    public override string ToString() =>
        $"recovery {RecoveryId} for pid {Pid}: {(Failure is { } failure ? failure.ToString() : Outcome!.ToString())} in {Durations.Format(Duration)}";
}

/// <summary>Why a recovery has no outcome.</summary>
public enum RecoveryFailureKind
{
    /// <summary>The program does not exist (at its path, or on the child's <c>PATH</c>).</summary>
    ProgramNotFound,

    /// <summary>The program exists but could not be started (not executable, a directory, out of resources, …).</summary>
    SpawnFailed,

    /// <summary>The containment the run needs is not available on this host.</summary>
    Unsupported,

    /// <summary>The child started but its end could not be observed (its output could not be read); its tree was killed.</summary>
    RunFailed,
}

/// <summary>Why a recovery has no outcome, with a reason in words that never includes the child's arguments or environment.</summary>
/// <param name="Kind">The kind of failure.</param>
/// <param name="Reason">What went wrong, in words (no argv, no environment values).</param>
public sealed record RecoveryFailure(RecoveryFailureKind Kind, string Reason)
{
    /// <summary>The kind in words, then the reason.</summary>
    public override string ToString() => Kind switch
    {
        RecoveryFailureKind.ProgramNotFound => "program not found: " + Reason,
        RecoveryFailureKind.SpawnFailed => "spawn failed: " + Reason,
        RecoveryFailureKind.Unsupported => "unsupported: " + Reason,
        _ => "run failed: " + Reason,
    };
}
