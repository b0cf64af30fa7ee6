using System.Buffers;
using System.Threading.Channels;
using Tether.IO;
using Tether.Interop;
using Tether.Journaling.Internal;

namespace Tether.Journaling;

// The writer loop: one per instance, the only code that touches the tail segment. Appends queue up while a commit runs,
// and the next commit takes all of them (group commit): one lock, one write, one fdatasync.
public sealed partial class Journal
{
    private readonly CounterSet _counters = new();
    private TailSegment? _tail;
    private ArrayBufferWriter<byte>? _commitBuffer;
    private bool _dirty;
    private long _dirtySince;
    private Exception? _backgroundSyncError;

    private async Task RunWriterAsync()
    {
        var reader = _queue.Reader;
        try
        {
            while (true)
            {
                SyncIfDue();
                if (!reader.TryPeek(out var item))
                {
                    if (!await WaitForWorkAsync(reader).ConfigureAwait(false))
                    {
                        break;
                    }

                    continue;
                }

                switch (item)
                {
                    case AppendWork:
                        CommitQueuedAppends(reader);
                        break;
                    case FlushWork flush:
                        reader.TryRead(out _);
                        Flush(flush);
                        break;
                    case PruneWork prune:
                        reader.TryRead(out _);
                        RunPrune(prune);
                        break;
                    case DecidedAppendWork decided:
                        reader.TryRead(out _);
                        await CommitDecidedAsync(decided).ConfigureAwait(false);
                        break;
                    default:
                        reader.TryRead(out _);
                        break;
                }
            }

            if (_dirty)
            {
                TrySyncInBackground();
            }
        }
        catch (Exception e)
        {
            // A bug in the loop itself: never leave a caller waiting forever.
            _queue.Writer.TryComplete(e);
            while (reader.TryRead(out var left))
            {
                FailItem(left, new InvalidOperationException($"The journal writer stopped unexpectedly: {e.Message}", e));
            }

            throw;
        }
    }

    /// <summary>Waits for queued work; with unsynced buffered data, no longer than until its sync is due.</summary>
    private async ValueTask<bool> WaitForWorkAsync(ChannelReader<WorkItem> reader)
    {
        if (!_dirty)
        {
            return await reader.WaitToReadAsync().ConfigureAwait(false);
        }

        var due = _options.BufferedSyncInterval - _time.GetElapsedTime(_dirtySince);
        if (due <= TimeSpan.Zero)
        {
            return true;
        }

        using var stop = new CancellationTokenSource();
        var read = reader.WaitToReadAsync(stop.Token).AsTask();
        var delay = Task.Delay(due, _time, stop.Token);
        var first = await Task.WhenAny(read, delay).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        if (first == read)
        {
            return await read.ConfigureAwait(false);
        }

        // The sync is due; the loop does it. If the queue was completed meanwhile, the next wait says so.
        return true;
    }

    private void CommitQueuedAppends(ChannelReader<WorkItem> reader)
    {
        var observation = default(JournalTelemetry.CommitObservation);
        var batch = new List<AppendWork>();
        var written = new List<WrittenLine>();
        Exception? failure = null;
        var locked = false;
        try
        {
            LockJournal();
            locked = true;

            // Take the batch only now: everything that queued while we waited for the lock joins this commit.
            Drain(reader, batch);
            if (batch.Count == 0)
            {
                return;
            }

            observation = JournalTelemetry.StartCommit(_time);

            var lines = new List<PendingLine>(batch.Count + 1);
            if (EnsureTail() is { } repair)
            {
                lines.Add(new PendingLine(RecordCodec.EncodeBody(repair), null));
            }

            lines.AddRange(batch.Select(work => new PendingLine(work.Body, work)));
            var rotated = WriteLines(lines, written);
            if (rotated && _options.Retention is { } policy)
            {
                PruneAfterRotation(policy);
            }
        }
        catch (Exception e)
        {
            failure = e;
            _counters.Increment(ref _counters.FailedCommits);
            InvalidateTail();
        }
        finally
        {
            if (locked)
            {
                UnlockJournal();
            }
        }

        JournalTelemetry.Committed(observation, batch.Count, Directory, failure);
        var acknowledged = new HashSet<AppendWork>();
        foreach (var line in written)
        {
            if (line.Work is { } work)
            {
                acknowledged.Add(work);
                work.Succeed(line.Seq);
            }
        }

        if (failure is not null)
        {
            var error = ToWriteError(failure, "append to");
            foreach (var work in batch.Where(w => !acknowledged.Contains(w)))
            {
                work.Fail(error);
            }

            if (batch.Count == 0)
            {
                // The lock could not even be taken: fail what is queued rather than spin on it.
                Drain(reader, batch);
                foreach (var work in batch)
                {
                    work.Fail(error);
                }
            }
        }
    }

    private void Drain(ChannelReader<WorkItem> reader, List<AppendWork> batch)
    {
        var bytes = 0L;
        while (batch.Count < _options.MaxBatchRecords && reader.TryPeek(out var item) && item is AppendWork work)
        {
            if (batch.Count > 0 && bytes + work.LineLength > _options.MaxBatchBytes)
            {
                break;
            }

            reader.TryRead(out _);
            if (work.TryTake())
            {
                batch.Add(work);
                bytes += work.LineLength;
            }
        }
    }

    /// <summary>
    /// Writes the lines at the tail, starting a new segment whenever the next line would push the current one past
    /// <see cref="JournalOptions.SegmentMaxBytes"/>. Each segment's part is one write (and, when synced, one fdatasync);
    /// lines are added to <paramref name="written"/> as their part becomes durable. Returns whether a segment was started.
    /// </summary>
    private bool WriteLines(List<PendingLine> lines, List<WrittenLine> written)
    {
        var tail = _tail!;
        var timestamp = RecordCodec.TimestampUtf8(RecordCodec.ToMicroseconds(_time.GetUtcNow()));
        // One buffer for the writer loop's whole life: a fresh megabyte per commit cost a gen-2 collection per append
        // for a single appender. It grows to the largest batch and is emptied after each chunk.
        var buffer = _commitBuffer ??= new ArrayBufferWriter<byte>(64 * 1024);
        buffer.ResetWrittenCount();
        var chunk = new List<WrittenLine>();
        var seq = tail.NextSeq;
        var rotated = false;
        foreach (var line in lines)
        {
            var length = line.Body.Length + RecordCodec.MaxOverhead - JournalLayout.SeqDigits + Digits(seq);
            var used = tail.Length + buffer.WrittenCount;
            if (used > 0 && used + length > _options.SegmentMaxBytes)
            {
                WriteChunk(buffer, chunk, written, sync: true);
                Rotate(seq);
                tail = _tail!;
                rotated = true;
            }

            RecordCodec.WriteLine(buffer, seq, timestamp, line.Body);
            chunk.Add(new WrittenLine(line.Work, seq));
            seq++;
        }

        WriteChunk(buffer, chunk, written, sync: _options.Durability == Durability.Synced);
        _counters.Increment(ref _counters.Commits);
        return rotated;
    }

    /// <summary>One write of the buffered lines at the end of the tail segment; on failure the segment is cut back to
    /// where it was, so a partial write never stays behind.</summary>
    private void WriteChunk(ArrayBufferWriter<byte> buffer, List<WrittenLine> chunk, List<WrittenLine> written, bool sync)
    {
        if (buffer.WrittenCount == 0)
        {
            return;
        }

        var tail = _tail!;
        var offset = tail.Length;
        try
        {
            var data = buffer.WrittenSpan;
            if (_options.Faults?.Next(FaultPoint.Write) is int errno and not 0)
            {
                DurableFile.WriteAll(tail.Handle, data[..(data.Length / 2)], offset, tail.Segment.Path);
                _options.Faults.Next(FaultPoint.AfterPartialWrite);
                throw new PosixIOException(errno, "writing", tail.Segment.Path);
            }

            DurableFile.WriteAll(tail.Handle, data, offset, tail.Segment.Path);
            tail.Length = offset + data.Length;
            if (sync)
            {
                SyncTail();
            }
            else
            {
                MarkDirty();
            }
        }
        catch
        {
            RollBack(tail, offset);
            throw;
        }

        tail.NextSeq = chunk[^1].Seq + 1;
        _counters.Add(ref _counters.BytesWritten, buffer.WrittenCount);
        _counters.Add(ref _counters.Appended, chunk.Count(line => line.Work is not null));
        written.AddRange(chunk);
        chunk.Clear();
        buffer.ResetWrittenCount();
    }

    /// <summary>Starts the segment named after <paramref name="firstSeq"/>; the current one is complete and synced first,
    /// so only the last segment can ever end torn.</summary>
    private void Rotate(ulong firstSeq)
    {
        var old = _tail!;
        if (_dirty)
        {
            SyncTail();
        }

        var name = JournalLayout.SegmentName(firstSeq);
        var segment = new SegmentFile(firstSeq, name, Path.Combine(Directory, name));
        var handle = DurableFile.CreateNew(segment.Path);
        try
        {
            DurableFile.SyncDirectory(Directory);
            _tail = new TailSegment(segment, handle, DurableFile.Stat(handle, segment.Path), 0, firstSeq);
        }
        catch
        {
            handle.Dispose();
            throw;
        }

        old.Dispose();
        _counters.Increment(ref _counters.Rotations);
    }

    private void RollBack(TailSegment tail, long offset)
    {
        try
        {
            DurableFile.Truncate(tail.Handle, offset, tail.Segment.Path);
            tail.Length = offset;
        }
        catch (IOException)
        {
            // The bytes stay until the next commit reads the tail again and cuts them off as a torn tail (keeping them
            // in a sidecar file): they were never acknowledged.
        }
    }

    private void SyncTail()
    {
        var tail = _tail!;
        if (_options.Faults?.Next(FaultPoint.Sync) is int errno and not 0)
        {
            throw new PosixIOException(errno, "syncing", tail.Segment.Path);
        }

        DurableFile.DataSync(tail.Handle, tail.Segment.Path);
        _counters.Increment(ref _counters.Syncs);
        _dirty = false;
    }

    private void MarkDirty()
    {
        if (!_dirty)
        {
            _dirty = true;
            _dirtySince = _time.GetTimestamp();
        }
    }

    private void SyncIfDue()
    {
        if (_dirty && _time.GetElapsedTime(_dirtySince) >= _options.BufferedSyncInterval)
        {
            TrySyncInBackground();
        }
    }

    /// <summary>A sync nobody waits for (buffered mode): a failure is kept for the next <see cref="FlushAsync"/>.</summary>
    private void TrySyncInBackground()
    {
        try
        {
            if (_tail is not null)
            {
                SyncTail();
            }
        }
        catch (IOException e)
        {
            _counters.Increment(ref _counters.FailedSyncs);
            _backgroundSyncError = e;
        }

        _dirty = false;
    }

    private void Flush(FlushWork work)
    {
        try
        {
            if (_dirty && _tail is not null)
            {
                SyncTail();
            }

            if (Interlocked.Exchange(ref _backgroundSyncError, null) is { } background)
            {
                throw new JournalWriteException(
                    Directory,
                    $"A background sync of the journal at '{Directory}' failed ({background.Message}): records acknowledged before it may be lost if the machine loses power.",
                    (background as PosixIOException)?.Errno ?? 0,
                    (background as PosixIOException)?.IsDiskFull ?? false,
                    background);
            }

            work.Completion.TrySetResult();
        }
        catch (Exception e)
        {
            _dirty = false;
            work.Completion.TrySetException(ToWriteError(e, "sync"));
        }
    }

    private async Task CommitDecidedAsync(DecidedAppendWork work)
    {
        var written = new List<WrittenLine>();
        var locked = false;
        try
        {
            LockJournal();
            locked = true;
            if (EnsureTail() is { } repair)
            {
                WriteLines([new PendingLine(RecordCodec.EncodeBody(repair), null)], []);
            }

            var entries = await work.Decide(_tail!.NextSeq, work.Token).ConfigureAwait(false);
            var lines = new List<PendingLine>(entries.Count);
            foreach (var entry in entries)
            {
                var body = RecordCodec.EncodeBody(entry);
                var size = RecordCodec.MaxLineLength(body.Length);
                if (size > _options.MaxRecordBytes)
                {
                    throw new JournalRecordTooLargeException(entry.Type, size, _options.MaxRecordBytes);
                }

                lines.Add(new PendingLine(body, null));
            }

            if (lines.Count > 0)
            {
                WriteLines(lines, written);
            }

            work.Completion.TrySetResult(written.Select(line => line.Seq).ToList());
        }
        catch (OperationCanceledException e) when (work.Token.IsCancellationRequested)
        {
            work.Completion.TrySetCanceled(e.CancellationToken);
        }
        catch (Exception e)
        {
            _counters.Increment(ref _counters.FailedCommits);
            InvalidateTail();
            work.Completion.TrySetException(ToWriteError(e, "append to"));
        }
        finally
        {
            if (locked)
            {
                UnlockJournal();
            }
        }
    }

    private void RunPrune(PruneWork work)
    {
        var locked = false;
        try
        {
            LockJournal();
            locked = true;
            work.Completion.TrySetResult(Prune(work.Policy));
        }
        catch (Exception e)
        {
            work.Completion.TrySetException(ToWriteError(e, "prune"));
        }
        finally
        {
            if (locked)
            {
                UnlockJournal();
            }
        }
    }

    private void PruneAfterRotation(RetentionPolicy policy)
    {
        try
        {
            Prune(policy);
            LastRetentionError = null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JournalException)
        {
            _counters.Increment(ref _counters.RetentionFailures);
            LastRetentionError = e.Message;
        }
    }

    private static void FailItem(WorkItem item, Exception error)
    {
        switch (item)
        {
            case AppendWork append:
                append.Fail(error);
                break;
            case FlushWork flush:
                flush.Completion.TrySetException(error);
                break;
            case PruneWork prune:
                prune.Completion.TrySetException(error);
                break;
            case DecidedAppendWork decided:
                decided.Completion.TrySetException(error);
                break;
        }
    }

    /// <summary>The error a caller sees: system-call failures become <see cref="JournalWriteException"/> with advice.</summary>
    private Exception ToWriteError(Exception e, string verb) => e switch
    {
        PosixIOException posix => WriteError(Directory, posix, verb),
        JournalException journal => journal,
        IOException or UnauthorizedAccessException => new JournalWriteException(
            Directory, $"Could not {verb} the journal at '{Directory}': {e.Message}.", 0, false, e),
        _ => e,
    };

    private static JournalWriteException WriteError(string directory, PosixIOException e, string verb)
    {
        var advice = e.IsDiskFull
            ? " Free space on the file system, then try again."
            : e.Errno switch
            {
                Libc.EACCES or Libc.EPERM => " Check the permissions of the journal directory and its files.",
                Libc.EROFS => " The file system is read-only.",
                Libc.EIO => " The device reported an I/O error; check the disk.",
                Libc.ELOOP => " Remove the symbolic link; the journal never writes through one.",
                _ => "",
            };
        var outcome = verb switch
        {
            "append to" => " The record was not acknowledged and is not in the journal, which stays valid and readable.",
            "sync" => " Records acknowledged before may not be on stable storage.",
            "prune" => " Segments deleted before the error stay deleted; the journal stays valid and readable.",
            _ => "",
        };
        return new JournalWriteException(directory, $"Could not {verb} the journal at '{directory}': {e.Message}.{outcome}{advice}", e.Errno, e.IsDiskFull, e);
    }

    private static int Digits(ulong value)
    {
        var digits = 1;
        while (value >= 10)
        {
            value /= 10;
            digits++;
        }

        return digits;
    }

    /// <summary>A line to write: its body and the append waiting for it (null for the journal's own records).</summary>
    private sealed record PendingLine(byte[] Body, AppendWork? Work);

    /// <summary>A line written and durable, with its seq.</summary>
    private sealed record WrittenLine(AppendWork? Work, ulong Seq);
}
