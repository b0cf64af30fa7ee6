namespace Tether.Journaling;

/// <summary>
/// Which old segments may be deleted. Retention deletes whole segments, oldest first and only as a contiguous run from the
/// oldest, never rewrites a segment, and never deletes the last segment (the one being appended to), so the journal's
/// seq always continues. A segment goes when any limit set here says so.
/// </summary>
public sealed record RetentionPolicy
{
    /// <summary>Delete a segment once its newest record is older than this (by the journal's <see cref="TimeProvider"/>).
    /// Null: no age limit.</summary>
    public TimeSpan? MaxAge { get; init; }

    /// <summary>Delete oldest segments while all segments together are larger than this. Null: no size limit.</summary>
    public long? MaxTotalBytes { get; init; }

    /// <summary>Delete oldest segments while there are more than this many. Null: no count limit.</summary>
    public int? MaxSegments { get; init; }

    /// <summary>Checks the limits.</summary>
    /// <exception cref="ArgumentException">No limit is set, or a limit is not positive.</exception>
    internal void Validate()
    {
        if (MaxAge is null && MaxTotalBytes is null && MaxSegments is null)
        {
            throw new ArgumentException("A retention policy needs at least one limit (MaxAge, MaxTotalBytes or MaxSegments).");
        }

        if (MaxAge is { } age && age <= TimeSpan.Zero)
        {
            throw new ArgumentException($"RetentionPolicy.MaxAge must be positive (got {age}).");
        }

        if (MaxTotalBytes is { } bytes && bytes <= 0)
        {
            throw new ArgumentException($"RetentionPolicy.MaxTotalBytes must be positive (got {bytes}).");
        }

        if (MaxSegments is { } count && count < 1)
        {
            throw new ArgumentException($"RetentionPolicy.MaxSegments must be at least 1 (got {count}).");
        }
    }
}
