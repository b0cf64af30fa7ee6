using Tether.IO;
using Tether.Journaling.Internal;

namespace Tether.Journaling;

// Retention: deletes whole old segments under the journal lock. Never renames, never rewrites, never touches the last
// segment, so no append of any process can be lost to it.
public sealed partial class Journal
{
    private JournalPruneReport Prune(RetentionPolicy policy)
    {
        var segments = JournalLayout.ListSegments(Directory);
        var sizes = segments.Select(segment => DurableFile.TryStat(segment.Path)?.Size ?? 0).ToArray();
        var remainingCount = segments.Count;
        var remainingBytes = sizes.Sum();
        var cutoff = policy.MaxAge is { } age ? _time.GetUtcNow() - age : (DateTimeOffset?)null;
        var deleted = new List<PrunedSegment>();
        string? note = null;

        for (var i = 0; i < segments.Count - 1; i++)
        {
            var segment = segments[i];
            PruneReason? reason = null;
            if (policy.MaxSegments is { } maxSegments && remainingCount > maxSegments)
            {
                reason = PruneReason.SegmentCount;
            }
            else if (policy.MaxTotalBytes is { } maxBytes && remainingBytes > maxBytes)
            {
                reason = PruneReason.TotalBytes;
            }
            else if (cutoff is { } oldest)
            {
                var newest = NewestTimestamp(segment);
                if (newest is null)
                {
                    note = $"stopped at {segment.Name}: its newest record could not be read, so its age is unknown";
                    break;
                }

                if (newest < oldest)
                {
                    reason = PruneReason.Age;
                }
            }

            if (reason is null)
            {
                break;
            }

            DurableFile.Delete(segment.Path);
            deleted.Add(new PrunedSegment(segment.Name, segment.FirstSeq, sizes[i], reason.Value));
            remainingCount--;
            remainingBytes -= sizes[i];
            _counters.Increment(ref _counters.SegmentsDeleted);
        }

        if (deleted.Count > 0)
        {
            DurableFile.SyncDirectory(Directory);
        }

        return new JournalPruneReport(deleted, remainingCount, remainingBytes, note);
    }

    private DateTimeOffset? NewestTimestamp(SegmentFile segment)
    {
        try
        {
            using var handle = DurableFile.OpenExisting(segment.Path);
            var status = DurableFile.Stat(handle, segment.Path);
            return TailLocator.Locate(handle, Directory, segment, status.Size).LastTimestamp;
        }
        catch (Exception e) when (e is IOException or JournalException)
        {
            return null;
        }
    }
}
