using System.Collections.Immutable;

namespace Tether.Sessions;

/// <summary>What happened to one command of a replay.</summary>
public enum ReplayStepKind
{
    /// <summary>It ran and succeeded (exit 0).</summary>
    Succeeded,

    /// <summary>It ran and failed (non-zero exit, signal, timeout) or could not start.</summary>
    Failed,

    /// <summary>It was skipped: <c>--from</c>, <c>--skip</c>, <c>--skip-pattern</c>, declined at a prompt, or dangerous under <see cref="DangerPolicy.Skip"/>.</summary>
    Skipped,

    /// <summary>It would run (a dry run).</summary>
    WouldRun,

    /// <summary>It did not run because the replay stopped first (stop-on-error, abort, interruption).</summary>
    NotRun,
}

/// <summary>One command's fate in a replay.</summary>
/// <param name="Number">Its number (1-based).</param>
/// <param name="Command">The command line.</param>
/// <param name="Directory">Where it ran or would run.</param>
/// <param name="Kind">What happened.</param>
/// <param name="Reason">Why it was skipped or not run, or how it failed; null when it succeeded.</param>
/// <param name="Outcome">How it ended when it ran.</param>
/// <param name="Findings">Danger findings for it.</param>
public sealed record ReplayStep(int Number, string Command, string Directory, ReplayStepKind Kind, string? Reason, Outcome? Outcome, IReadOnlyList<DangerFinding> Findings);

/// <summary>The result of a replay: every command's fate, in order.</summary>
/// <param name="Steps">One per command of the session.</param>
/// <param name="Aborted">True when <see cref="DangerPolicy.Abort"/> found a dangerous command and nothing ran.</param>
/// <param name="Interrupted">True when the replay was cancelled while a command ran (its whole tree was stopped).</param>
public sealed record ReplayReport(ImmutableArray<ReplayStep> Steps, bool Aborted, bool Interrupted)
{
    /// <summary>True when nothing failed, nothing was aborted and the replay was not interrupted (skips do not count as failures).</summary>
    public bool Succeeded => !Aborted && !Interrupted && Steps.All(s => s.Kind is not (ReplayStepKind.Failed or ReplayStepKind.NotRun));

    /// <summary>Commands that failed.</summary>
    public int FailedCount => Steps.Count(s => s.Kind == ReplayStepKind.Failed);
}
