namespace Tether.Journaling;

/// <summary>A segment as read: its records' seq and time ranges. Produced by verify and stats.</summary>
public sealed class JournalSegmentSummary
{
    internal JournalSegmentSummary(string name, ulong firstSeqByName)
    {
        Name = name;
        FirstSeqByName = firstSeqByName;
    }

    /// <summary>The file name.</summary>
    public string Name { get; }

    /// <summary>The seq its name says its first record has.</summary>
    public ulong FirstSeqByName { get; }

    /// <summary>The bytes read (the file's size at the time).</summary>
    public long Bytes { get; internal set; }

    /// <summary>Valid records in it.</summary>
    public long Records { get; private set; }

    /// <summary>The first valid record's seq, or null when it has none.</summary>
    public ulong? FirstSeq { get; private set; }

    /// <summary>The last valid record's seq, or null when it has none.</summary>
    public ulong? LastSeq { get; private set; }

    /// <summary>The first valid record's timestamp, or null.</summary>
    public DateTimeOffset? FirstTimestamp { get; private set; }

    /// <summary>The last valid record's timestamp, or null.</summary>
    public DateTimeOffset? LastTimestamp { get; private set; }

    /// <summary>The torn tail at its end, if it is the last segment and has one.</summary>
    public JournalTornTail? TornTail { get; internal set; }

    internal void Add(JournalRecord record)
    {
        Records++;
        FirstSeq ??= record.Seq;
        FirstTimestamp ??= record.Timestamp;
        LastSeq = record.Seq;
        LastTimestamp = record.Timestamp;
    }
}
