namespace Tether.Journaling.Internal;

/// <summary>The live counters behind <see cref="JournalCounters"/>; updated with interlocked operations.</summary>
internal sealed class CounterSet
{
    public long Appended;
    public long Commits;
    public long Syncs;
    public long BytesWritten;
    public long Rotations;
    public long SegmentsDeleted;
    public long TornTailsRepaired;
    public long TornBytesSaved;
    public long TailReloads;
    public long FailedCommits;
    public long FailedSyncs;
    public long RejectedTooLarge;
    public long QueueFullWaits;
    public long RetentionFailures;

    public void Increment(ref long counter) => Interlocked.Increment(ref counter);

    public void Add(ref long counter, long amount) => Interlocked.Add(ref counter, amount);

    public JournalCounters Snapshot() => new()
    {
        Appended = Interlocked.Read(ref Appended),
        Commits = Interlocked.Read(ref Commits),
        Syncs = Interlocked.Read(ref Syncs),
        BytesWritten = Interlocked.Read(ref BytesWritten),
        Rotations = Interlocked.Read(ref Rotations),
        SegmentsDeleted = Interlocked.Read(ref SegmentsDeleted),
        TornTailsRepaired = Interlocked.Read(ref TornTailsRepaired),
        TornBytesSaved = Interlocked.Read(ref TornBytesSaved),
        TailReloads = Interlocked.Read(ref TailReloads),
        FailedCommits = Interlocked.Read(ref FailedCommits),
        FailedSyncs = Interlocked.Read(ref FailedSyncs),
        RejectedTooLarge = Interlocked.Read(ref RejectedTooLarge),
        QueueFullWaits = Interlocked.Read(ref QueueFullWaits),
        RetentionFailures = Interlocked.Read(ref RetentionFailures),
    };
}
