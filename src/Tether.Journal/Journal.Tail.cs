using System.Text.Json.Nodes;
using Microsoft.Win32.SafeHandles;
using Tether.IO;
using Tether.Interop;
using Tether.Journaling.Internal;

namespace Tether.Journaling;

// Finding the real end of the journal under the lock, and repairing a torn tail. Another process may have appended,
// rotated, or died mid-write since this instance last held the lock; a cached tail is used only after checking it.
public sealed partial class Journal
{
    /// <summary>The type of the record the journal appends after cutting off a torn tail.</summary>
    public const string TailRepairedType = "journal.tail_repaired";

    /// <summary>At open: checks or creates the manifest, then finds the tail and repairs it if torn.</summary>
    private void Recover()
    {
        LockJournal();
        try
        {
            if (!Manifest.Check(Directory))
            {
                if (JournalLayout.ListSegments(Directory).Count > 0)
                {
                    throw new JournalFormatException(Directory, $"it holds segments but no {JournalLayout.ManifestName}; it was not created by Tether.Journal, or the manifest was removed");
                }

                Manifest.Create(Directory);
            }

            if (EnsureTail() is { } repair)
            {
                WriteLines([new PendingLine(RecordCodec.EncodeBody(repair), null)], []);
            }
        }
        catch (PosixIOException e)
        {
            InvalidateTail();
            throw WriteError(Directory, e, "open");
        }
        finally
        {
            UnlockJournal();
        }
    }

    /// <summary>Takes the journal's exclusive flock, making sure it is on the lock file that is in the directory now.</summary>
    private void LockJournal()
    {
        for (var attempt = 0; ; attempt++)
        {
            DurableFile.LockExclusive(_lock, _lockPath);
            var onDisk = DurableFile.TryStat(_lockPath);
            if (onDisk is { } status && status.SameFileAs(DurableFile.Stat(_lock, _lockPath)))
            {
                return;
            }

            // The lock file was removed or replaced: a lock on the old inode would exclude nobody.
            DurableFile.Unlock(_lock, _lockPath);
            _lock.Dispose();
            _lock = DurableFile.OpenOrCreate(_lockPath);
            if (attempt > 100)
            {
                throw new PosixIOException(Libc.EAGAIN, "locking (the lock file keeps being replaced)", _lockPath);
            }
        }
    }

    private void UnlockJournal()
    {
        try
        {
            DurableFile.Unlock(_lock, _lockPath);
        }
        catch (IOException)
        {
            // Closing the descriptor releases the lock for certain.
            _lock.Dispose();
            _lock = DurableFile.OpenOrCreate(_lockPath);
        }
    }

    /// <summary>
    /// Makes <see cref="_tail"/> describe the real end of the journal. Returns the record to append first when a torn tail
    /// was cut off, else null. Caller holds the lock.
    /// </summary>
    private JournalEntry? EnsureTail()
    {
        if (_tail is not null)
        {
            if (IsTailCurrent(_tail))
            {
                return null;
            }

            _counters.Increment(ref _counters.TailReloads);
            InvalidateTail();
        }

        return Rediscover();
    }

    /// <summary>
    /// Whether nobody changed the end of the journal since this instance last wrote: the tail segment is the same file
    /// with the same length, and no segment named after the next seq exists (another writer's rotation would have
    /// created exactly that one, since it would have found the same tail).
    /// </summary>
    private bool IsTailCurrent(TailSegment tail)
    {
        var status = DurableFile.TryStat(tail.Segment.Path);
        if (status is not { } s || !s.SameFileAs(tail.Identity) || s.Size != tail.Length)
        {
            return false;
        }

        return tail.NextSeq == tail.Segment.FirstSeq
            || DurableFile.TryStat(Path.Combine(Directory, JournalLayout.SegmentName(tail.NextSeq))) is null;
    }

    /// <summary>Forgets the cached tail (syncing buffered data first), so the next commit reads it from disk.</summary>
    private void InvalidateTail()
    {
        if (_tail is null)
        {
            return;
        }

        if (_dirty)
        {
            TrySyncInBackground();
        }

        _tail.Dispose();
        _tail = null;
    }

    private JournalEntry? Rediscover()
    {
        var segments = JournalLayout.ListSegments(Directory);
        if (segments.Count == 0)
        {
            var name = JournalLayout.SegmentName(1);
            var first = new SegmentFile(1, name, Path.Combine(Directory, name));
            var created = DurableFile.CreateNew(first.Path);
            try
            {
                DurableFile.SyncDirectory(Directory);
                _tail = new TailSegment(first, created, DurableFile.Stat(created, first.Path), 0, 1);
            }
            catch
            {
                created.Dispose();
                throw;
            }

            return null;
        }

        var last = segments[^1];
        SafeFileHandle handle;
        try
        {
            handle = DurableFile.OpenExisting(last.Path);
        }
        catch (PosixIOException e) when (e.Errno is Libc.ELOOP or Libc.EINVAL)
        {
            throw new JournalFormatException(Directory, $"the last segment {last.Name} is a symbolic link or not a regular file, and the journal never writes through one");
        }

        try
        {
            var status = DurableFile.Stat(handle, last.Path);
            var end = TailLocator.Locate(handle, Directory, last, status.Size);
            var next = end.LastSeq is { } seq ? seq + 1 : last.FirstSeq;
            JournalEntry? repair = null;
            if (end.TornLength > 0)
            {
                repair = Repair(handle, last, end, next);
            }

            _tail = new TailSegment(last, handle, status, end.ValidEnd, next);
            return repair;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Moves the torn bytes to a side file (<see cref="DurableFile.MoveTornTail"/>: created 0600, synced, directory synced)
    /// and only then cuts them off the segment: if anything fails before the cut, the segment is left as it was.
    /// </summary>
    private JournalEntry Repair(SafeFileHandle handle, SegmentFile segment, SegmentTail end, ulong nextSeq)
    {
        var moved = DurableFile.MoveTornTail(handle, segment.Path, end.ValidEnd, _time.GetUtcNow(), sidePath =>
        {
            if (_options.Faults?.Next(FaultPoint.SidecarWrite) is int errno and not 0)
            {
                throw new PosixIOException(errno, "writing", sidePath);
            }
        });
        _counters.Increment(ref _counters.Syncs);
        _counters.Increment(ref _counters.TornTailsRepaired);
        _counters.Add(ref _counters.TornBytesSaved, moved.Bytes);

        return new JournalEntry(TailRepairedType, null, new JsonObject
        {
            ["segment"] = segment.Name,
            ["offset"] = moved.Offset,
            ["bytes"] = moved.Bytes,
            ["sidecar"] = moved.SideFileName,
            ["reason"] = end.TornReason,
            ["next_seq"] = nextSeq,
        }, allowReserved: true);
    }
}
