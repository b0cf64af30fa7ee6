namespace Tether.Journaling;

/// <summary>What a retention run did.</summary>
public sealed class JournalPruneReport
{
    internal JournalPruneReport(IReadOnlyList<PrunedSegment> deleted, int segmentsKept, long bytesKept, string? note)
    {
        Deleted = deleted;
        SegmentsKept = segmentsKept;
        BytesKept = bytesKept;
        Note = note;
    }

    /// <summary>The segments deleted, oldest first.</summary>
    public IReadOnlyList<PrunedSegment> Deleted { get; }

    /// <summary>How many segments remain (at least one: the last segment is never deleted).</summary>
    public int SegmentsKept { get; }

    /// <summary>How many bytes the remaining segments hold.</summary>
    public long BytesKept { get; }

    /// <summary>Why retention stopped early although a limit was still exceeded (e.g. a segment whose age could not be
    /// read), or null.</summary>
    public string? Note { get; }
}
