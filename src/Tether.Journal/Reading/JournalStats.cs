namespace Tether.Journaling;

/// <summary>What a journal holds, from one full read (tolerant: damage is counted, not thrown).</summary>
public sealed class JournalStats
{
    /// <summary>How many distinct record types <see cref="RecordsByType"/> counts; further types go to
    /// <see cref="RecordsOfOtherTypes"/>.</summary>
    public const int MaxTypesCounted = 1000;

    internal JournalStats(
        IReadOnlyList<JournalSegmentSummary> segments,
        IReadOnlyDictionary<string, long> recordsByType,
        long recordsOfOtherTypes,
        long problemCount,
        JournalTornTail? tornTail,
        IReadOnlyList<string> tornFiles)
    {
        Segments = segments;
        RecordsByType = recordsByType;
        RecordsOfOtherTypes = recordsOfOtherTypes;
        ProblemCount = problemCount;
        TornTail = tornTail;
        TornFiles = tornFiles;
        Records = segments.Sum(s => s.Records);
        TotalBytes = segments.Sum(s => s.Bytes);
        FirstSeq = segments.Select(s => s.FirstSeq).FirstOrDefault(s => s is not null);
        LastSeq = segments.Select(s => s.LastSeq).LastOrDefault(s => s is not null);
        FirstTimestamp = segments.Select(s => s.FirstTimestamp).FirstOrDefault(t => t is not null);
        LastTimestamp = segments.Select(s => s.LastTimestamp).LastOrDefault(t => t is not null);
        TailRepairs = recordsByType.GetValueOrDefault(Journal.TailRepairedType);
    }

    /// <summary>Every segment, oldest first.</summary>
    public IReadOnlyList<JournalSegmentSummary> Segments { get; }

    /// <summary>Valid records.</summary>
    public long Records { get; }

    /// <summary>The segments' total size.</summary>
    public long TotalBytes { get; }

    /// <summary>The first record's seq, or null for an empty journal.</summary>
    public ulong? FirstSeq { get; }

    /// <summary>The last record's seq, or null.</summary>
    public ulong? LastSeq { get; }

    /// <summary>The first record's timestamp, or null.</summary>
    public DateTimeOffset? FirstTimestamp { get; }

    /// <summary>The last record's timestamp, or null.</summary>
    public DateTimeOffset? LastTimestamp { get; }

    /// <summary>Records per type (up to <see cref="MaxTypesCounted"/> types).</summary>
    public IReadOnlyDictionary<string, long> RecordsByType { get; }

    /// <summary>Records of types beyond the first <see cref="MaxTypesCounted"/>.</summary>
    public long RecordsOfOtherTypes { get; }

    /// <summary>Damaged places met (see <see cref="JournalReader.VerifyAsync"/> for details).</summary>
    public long ProblemCount { get; }

    /// <summary>The torn tail at the end, if any.</summary>
    public JournalTornTail? TornTail { get; }

    /// <summary>How many torn tails writers have cut off (<c>journal.tail_repaired</c> records still in the journal).</summary>
    public long TailRepairs { get; }

    /// <summary>The <c>torn-*.bin</c> files beside the segments.</summary>
    public IReadOnlyList<string> TornFiles { get; }
}
