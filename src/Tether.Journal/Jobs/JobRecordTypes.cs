namespace Tether.Journaling;

/// <summary>The record types of a job's life, written by <see cref="JobJournal"/>. A job is open from
/// <see cref="Started"/> until one of the ending types; <see cref="JobJournal.ReconcileAsync"/> ends the ones whose
/// writer died with <see cref="Abandoned"/>.</summary>
public static class JobRecordTypes
{
    /// <summary>The job was handed in. Data: the caller's fields.</summary>
    public const string Submitted = "job.submitted";

    /// <summary>The job's input was checked and accepted. Data: the caller's fields.</summary>
    public const string Validated = "job.validated";

    /// <summary>The job began to run. Data: the caller's fields and <c>writer</c> (pid, process start time, boot id),
    /// which lets reconciliation tell a live job from an abandoned one.</summary>
    public const string Started = "job.started";

    /// <summary>The job ended well. Data: <c>exit_code</c> when given.</summary>
    public const string Completed = "job.completed";

    /// <summary>The job ended with an error. Data: <c>error</c> (cut to a bound), <c>exit_code</c> when given.</summary>
    public const string Failed = "job.failed";

    /// <summary>The job was cancelled. Data: <c>reason</c> when given.</summary>
    public const string Cancelled = "job.cancelled";

    /// <summary>The job ran out of time. Data: <c>timeout_ms</c>.</summary>
    public const string TimedOut = "job.timed_out";

    /// <summary>The job's effects were undone. Data: <c>reason</c> when given.</summary>
    public const string RolledBack = "job.rolled_back";

    /// <summary>Written by reconciliation for a job started by a writer that is gone. Data: <c>started_seq</c>,
    /// <c>reason</c>.</summary>
    public const string Abandoned = "job.abandoned";

    /// <summary>Whether <paramref name="type"/> ends a job.</summary>
    public static bool IsEnd(string type) =>
        type is Completed or Failed or Cancelled or TimedOut or RolledBack or Abandoned;
}
