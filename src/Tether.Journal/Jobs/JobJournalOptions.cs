namespace Tether.Journaling;

/// <summary>Bounds for what <see cref="JobJournal"/> writes.</summary>
public sealed record JobJournalOptions
{
    /// <summary>The most UTF-8 bytes kept of each of stdout and stderr in a command record; default 16 KiB.</summary>
    public int MaxOutputBytes { get; init; } = 16 * 1024;

    /// <summary>Which part of long output is kept; default the head and the tail.</summary>
    public CutKeep OutputKeep { get; init; } = CutKeep.HeadAndTail;

    /// <summary>The most UTF-8 bytes kept of an error message or a reason; default 4 KiB.</summary>
    public int MaxErrorBytes { get; init; } = 4 * 1024;

    /// <summary>The most jobs reconciliation tracks as open at once; beyond it reconciliation fails rather than guess.
    /// Default 100,000.</summary>
    public int MaxOpenJobs { get; init; } = 100_000;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxOutputBytes, Utf8Text.MinBudget, nameof(MaxOutputBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxErrorBytes, Utf8Text.MinBudget, nameof(MaxErrorBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxOpenJobs, 1, nameof(MaxOpenJobs));
        if (!Enum.IsDefined(OutputKeep))
        {
            throw new ArgumentOutOfRangeException(nameof(OutputKeep), OutputKeep, "Unknown cut mode.");
        }
    }
}
