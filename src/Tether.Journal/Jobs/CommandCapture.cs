namespace Tether.Journaling;

/// <summary>
/// A command a job ran, as <see cref="JobJournal.CommandCapturedAsync"/> records it: program, arguments (secrets
/// redacted by <see cref="ArgumentRedaction"/>), outcome, and output cut to <see cref="JobJournalOptions.MaxOutputBytes"/>.
/// The environment is never recorded.
/// </summary>
public sealed record CommandCapture
{
    /// <summary>The program as given.</summary>
    public required string Program { get; init; }

    /// <summary>The arguments; mark secret ones with <see cref="CapturedArgument.Secret"/>.</summary>
    public IReadOnlyList<CapturedArgument> Arguments { get; init; } = [];

    /// <summary>The working directory, or null.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>The exit code, or null when it did not exit normally.</summary>
    public int? ExitCode { get; init; }

    /// <summary>The signal that ended it, or null.</summary>
    public int? Signal { get; init; }

    /// <summary>How long it ran, or null.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Its standard output, or null when not captured.</summary>
    public string? Stdout { get; init; }

    /// <summary>Its standard error, or null when not captured.</summary>
    public string? Stderr { get; init; }

    /// <summary>When true, the output is secret: only its sizes are recorded, and the text as <c>***</c>.</summary>
    public bool OutputIsSecret { get; init; }
}
