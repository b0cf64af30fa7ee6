using System.Collections.Immutable;

namespace Tether.Sessions;

/// <summary>What to do with a command that danger detection flags.</summary>
public enum DangerPolicy
{
    /// <summary>Skip it and go on (the default).</summary>
    Skip,

    /// <summary>Check every command first; if any is dangerous, run nothing at all.</summary>
    Abort,

    /// <summary>Ask (through <see cref="ReplayOptions.Confirm"/>) before running it.</summary>
    Ask,

    /// <summary>Run it.</summary>
    Allow,
}

/// <summary>Which working directory a replayed command runs in.</summary>
public enum ReplayDirectory
{
    /// <summary>The directory it was recorded in (the default); a directory that no longer exists fails that command.</summary>
    Recorded,

    /// <summary>The replay's own working directory, for every command.</summary>
    Current,
}

/// <summary>How to replay a session.</summary>
public sealed record ReplayOptions
{
    /// <summary>
    /// Run nothing, and report what the real run would do: every decision (<c>--from</c>, skips, the danger policy,
    /// abort, the answers of <see cref="Confirm"/>) is taken exactly as in a real run; only running the command is left
    /// out, so a step that would run is <see cref="ReplayStepKind.WouldRun"/>. Without <see cref="Confirm"/>, a step
    /// that would be asked about is reported as <see cref="ReplayStepKind.WouldRun"/> "if the answer is yes".
    /// </summary>
    public bool DryRun { get; init; }

    /// <summary>Ask (through <see cref="Confirm"/>) before every command.</summary>
    public bool Step { get; init; }

    /// <summary>Start at this command number (1-based, as listings show it); earlier ones are skipped.</summary>
    public int From { get; init; } = 1;

    /// <summary>Command numbers (1-based) to skip.</summary>
    public ImmutableHashSet<int> Skip { get; init; } = [];

    /// <summary>Glob patterns (<c>*</c>, <c>?</c>, <c>[…]</c>) matched against the whole command line; a match is skipped.</summary>
    public ImmutableArray<string> SkipPatterns { get; init; } = [];

    /// <summary>Where commands run.</summary>
    public ReplayDirectory Directory { get; init; } = ReplayDirectory.Recorded;

    /// <summary>Stop at the first command that fails (the rest are reported as not run).</summary>
    public bool StopOnError { get; init; }

    /// <summary>What to do with dangerous commands.</summary>
    public DangerPolicy Danger { get; init; } = DangerPolicy.Skip;

    /// <summary>The danger rules [default: the moderate preset].</summary>
    public DangerRules Rules { get; init; } = DangerRules.Moderate;

    /// <summary>
    /// Asked before a command runs when <see cref="Step"/> is set or a dangerous command meets <see cref="DangerPolicy.Ask"/>;
    /// true runs it. Required for those modes.
    /// </summary>
    public Func<ReplayPrompt, CancellationToken, Task<bool>>? Confirm { get; init; }

    /// <summary>
    /// Called just before a command starts (after every decision to run it), so that a caller can announce it before
    /// the command's own output streams to <see cref="Stdout"/>; not called in a dry run.
    /// </summary>
    public Action<ReplayPrompt>? Starting { get; init; }

    /// <summary>The shell that runs each command line (a recorded line is shell text) [default: /bin/bash].</summary>
    public string Shell { get; init; } = "/bin/bash";

    /// <summary>A timeout per command; null for none.</summary>
    public TimeSpan? CommandTimeout { get; init; }

    /// <summary>Where replayed commands write their output (both streams); null discards it.</summary>
    public Stream? Stdout { get; init; }

    /// <summary>Where replayed commands write their stderr; null sends it to <see cref="Stdout"/>'s place or discards it.</summary>
    public Stream? Stderr { get; init; }
}

/// <summary>What <see cref="ReplayOptions.Confirm"/> is asked about.</summary>
/// <param name="Number">The command's number (1-based).</param>
/// <param name="Command">The command line.</param>
/// <param name="Directory">Where it would run.</param>
/// <param name="Findings">Why it is dangerous; empty for an ordinary step.</param>
public sealed record ReplayPrompt(int Number, string Command, string Directory, IReadOnlyList<DangerFinding> Findings);
