namespace Tether;

/// <summary>What became of a command, as <see cref="CommandRecord.For"/> records it. Every field is optional: a command
/// that never started has none.</summary>
public sealed record CommandRun
{
    /// <summary>The exit code, or null when it did not exit normally.</summary>
    public int? ExitCode { get; init; }

    /// <summary>The signal number that ended it, or null.</summary>
    public int? Signal { get; init; }

    /// <summary>How long it ran, or null.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Its standard output, or null when it is not to be recorded.</summary>
    public string? Stdout { get; init; }

    /// <summary>Its standard error, or null when it is not to be recorded.</summary>
    public string? Stderr { get; init; }

    /// <summary>When true, the output is secret: only its sizes are recorded, and the text as <see cref="RedactionPolicy.Mask"/>.</summary>
    public bool OutputIsSecret { get; init; }
}
