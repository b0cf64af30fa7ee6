namespace Tether.Journaling;

/// <summary>
/// Which records a read returns. Every condition set must hold; an empty query matches everything. Records always come
/// in seq order.
/// </summary>
public sealed record JournalQuery
{
    /// <summary>Matches every record.</summary>
    public static JournalQuery All { get; } = new();

    /// <summary>The smallest seq returned (inclusive), or null.</summary>
    public ulong? FromSeq { get; init; }

    /// <summary>The largest seq returned (inclusive), or null. A read stops after it.</summary>
    public ulong? ToSeq { get; init; }

    /// <summary>Only records with a timestamp at or after this, or null.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Only records with a timestamp before this (exclusive), or null.</summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>Only these types, or null for all. An entry ending in <c>.*</c> matches a prefix: <c>job.*</c> matches
    /// <c>job.started</c> and <c>job.command.captured</c>; <c>*</c> matches everything.</summary>
    public IReadOnlyList<string>? Types { get; init; }

    /// <summary>Only records of this job, or null.</summary>
    public string? Job { get; init; }

    /// <summary>Whether <paramref name="record"/> matches every condition.</summary>
    public bool Matches(JournalRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if ((FromSeq is { } from && record.Seq < from)
            || (ToSeq is { } to && record.Seq > to)
            || (Since is { } since && record.Timestamp < since)
            || (Until is { } until && record.Timestamp >= until)
            || (Job is not null && !string.Equals(record.Job, Job, StringComparison.Ordinal)))
        {
            return false;
        }

        return Types is null || Types.Any(pattern => TypeMatches(pattern, record.Type));
    }

    private static bool TypeMatches(string pattern, string type)
    {
        if (pattern == "*")
        {
            return true;
        }

        if (pattern.EndsWith(".*", StringComparison.Ordinal))
        {
            var prefix = pattern.AsSpan(0, pattern.Length - 1); // keep the dot
            return type.AsSpan().StartsWith(prefix, StringComparison.Ordinal);
        }

        return string.Equals(pattern, type, StringComparison.Ordinal);
    }
}
