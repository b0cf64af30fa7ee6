using System.Runtime.CompilerServices;
using Microsoft.Win32.SafeHandles;
using Tether.Journaling.Internal;

namespace Tether.Journaling;

// Follow: like tail -f, across rotations. The reader never consumes bytes it cannot prove are a record: a torn or
// half-written tail is read again on the next poll, so a writer's repair (cut and re-append) is seen as it happened.
public sealed partial class JournalReader
{
    /// <summary>
    /// Streams matching records as they are appended, forever (until cancelled, or past <see cref="JournalQuery.ToSeq"/>).
    /// Starts at <see cref="JournalQuery.FromSeq"/>, or when it is null just after the journal's current last record
    /// (combine with <see cref="ReadLastAsync"/> for <c>tail -n N -f</c>). Follows into new segments when the writer
    /// rotates, keeps reading a segment retention deletes under it, and polls every
    /// <see cref="JournalReaderOptions.FollowPollInterval"/> when there is nothing new.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="JournalFormatException">The directory is not a journal of this format version.</exception>
    /// <exception cref="JournalCorruptionException">Strict mode: damage in the middle.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public async IAsyncEnumerable<JournalRecord> FollowAsync(
        JournalQuery? query = null,
        JournalReadReport? report = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        query ??= JournalQuery.All;
        var segments = OpenSegments();
        SegmentFile? current;
        ulong from;
        if (query.FromSeq is { } start)
        {
            from = start;
            current = segments.LastOrDefault(s => s.FirstSeq <= start) ?? segments.FirstOrDefault();
        }
        else
        {
            (current, from) = FindEnd(segments);
        }

        long offset = 0;
        ulong? expected = null;
        SafeFileHandle? handle = null;
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (current is null)
                {
                    await Task.Delay(Options.FollowPollInterval, Options.TimeProvider, cancellationToken).ConfigureAwait(false);
                    current = JournalLayout.ListSegments(Directory).FirstOrDefault();
                    continue;
                }

                // Listed before the pass: a newer segment seen here was created after the current one was complete.
                var newer = JournalLayout.ListSegments(Directory).FirstOrDefault(s => s.FirstSeq > current.FirstSeq);
                if (handle is null)
                {
                    handle = SegmentScanner.TryOpen(current);
                    if (handle is null && newer is null)
                    {
                        // Gone (or replaced by a symbolic link) with nothing after it: only a person does that; wait.
                        await Task.Delay(Options.FollowPollInterval, Options.TimeProvider, cancellationToken).ConfigureAwait(false);
                        continue;
                    }

                    if (handle is null)
                    {
                        report?.AddPruned(current.Name);
                        expected = null;
                        offset = 0;
                        current = newer!;
                        continue;
                    }
                }

                var progressed = false;
                JournalTornTail? torn = null;
                await foreach (var item in SegmentScanner.ScanSegmentAsync(Directory, current, handle, offset, true, expected, Options.MaxLineBytes, cancellationToken).ConfigureAwait(false))
                {
                    switch (item.Kind)
                    {
                        case ScanKind.Record:
                            var record = item.Record!;
                            offset = record.Offset + record.Utf8Line.Length + 1;
                            expected = record.Seq + 1;
                            progressed = true;
                            if (query.ToSeq is { } last && record.Seq > last)
                            {
                                yield break;
                            }

                            if (record.Seq >= from && query.Matches(record))
                            {
                                yield return record;
                            }

                            break;
                        case ScanKind.TornTail:
                            torn = item.TornTail;
                            break;
                        case ScanKind.Problem:
                            Note(item, report);
                            if (item.Problem!.Kind == JournalProblemKind.InvalidText)
                            {
                                // A whole line, reported once: the next pass starts after it, not at it again.
                                offset = item.Problem.Offset + item.Problem.Length + 1;
                                expected = item.Problem.Seq + 1;
                                progressed = true;
                            }

                            break;
                    }
                }

                if (newer is not null)
                {
                    if (torn is not null)
                    {
                        // The writer completes a segment before starting the next, so this is damage, not a torn tail.
                        Note(new ScanItem(ScanKind.Problem, Problem: new JournalProblem(
                            torn.FirstKind, torn.Segment, torn.Offset, torn.Length, expected,
                            $"{torn.Reason}, in a segment followed by {newer.Name}")), report);
                    }

                    handle.Dispose();
                    handle = null;
                    current = newer;
                    offset = 0;
                    continue;
                }

                if (!progressed)
                {
                    await Task.Delay(Options.FollowPollInterval, Options.TimeProvider, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            handle?.Dispose();
        }
    }

    /// <summary>The last segment and the seq after its last valid record (or its first seq when it has none).</summary>
    private (SegmentFile? Segment, ulong NextSeq) FindEnd(List<SegmentFile> segments)
    {
        if (segments.Count == 0)
        {
            return (null, 1);
        }

        var last = segments[^1];
        using var handle = SegmentScanner.TryOpen(last);
        if (handle is null)
        {
            return (last, last.FirstSeq);
        }

        var end = TailLocator.Locate(handle, Directory, last, RandomAccess.GetLength(handle));
        return (last, end.LastSeq is { } seq ? seq + 1 : last.FirstSeq);
    }
}
