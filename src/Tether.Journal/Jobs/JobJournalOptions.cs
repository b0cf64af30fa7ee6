using Tether.Text;

namespace Tether.Journaling;

/// <summary>Bounds for what <see cref="JobJournal"/> writes.</summary>
public sealed record JobJournalOptions
{
    /// <summary>The most UTF-8 bytes kept of an error message or a reason; default 4 KiB.</summary>
    public int MaxErrorBytes { get; init; } = 4 * 1024;

    /// <summary>The most jobs reconciliation tracks as open at once; beyond it reconciliation fails rather than guess.
    /// Default 100,000.</summary>
    public int MaxOpenJobs { get; init; } = 100_000;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxErrorBytes, Utf8Text.MinBudget, nameof(MaxErrorBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxOpenJobs, 1, nameof(MaxOpenJobs));
    }
}
