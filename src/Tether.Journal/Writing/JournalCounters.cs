namespace Tether.Journaling;

/// <summary>What one <see cref="Journal"/> instance has done since it was opened (this process only). A snapshot.</summary>
public readonly record struct JournalCounters
{
    /// <summary>Records acknowledged.</summary>
    public long Appended { get; init; }

    /// <summary>Commits (each one write under the lock, and with <see cref="Durability.Synced"/> one fdatasync).</summary>
    public long Commits { get; init; }

    /// <summary>fdatasync calls on segments.</summary>
    public long Syncs { get; init; }

    /// <summary>Bytes written to segments.</summary>
    public long BytesWritten { get; init; }

    /// <summary>Segments started.</summary>
    public long Rotations { get; init; }

    /// <summary>Segments deleted by retention.</summary>
    public long SegmentsDeleted { get; init; }

    /// <summary>Torn tails cut off (each one saved to a <c>torn-*.bin</c> file and noted with a
    /// <c>journal.tail_repaired</c> record).</summary>
    public long TornTailsRepaired { get; init; }

    /// <summary>Bytes moved to <c>torn-*.bin</c> files.</summary>
    public long TornBytesSaved { get; init; }

    /// <summary>Times another writer had changed the tail since this instance last wrote, so it was read again.</summary>
    public long TailReloads { get; init; }

    /// <summary>Commits that failed (every record in them got the error).</summary>
    public long FailedCommits { get; init; }

    /// <summary>Background fdatasyncs that failed (<see cref="Durability.Buffered"/>); the next flush reports it.</summary>
    public long FailedSyncs { get; init; }

    /// <summary>Appends refused as too large.</summary>
    public long RejectedTooLarge { get; init; }

    /// <summary>Appends that had to wait because the queue was full.</summary>
    public long QueueFullWaits { get; init; }

    /// <summary>Automatic retention runs that failed (the appends themselves had succeeded).</summary>
    public long RetentionFailures { get; init; }
}
