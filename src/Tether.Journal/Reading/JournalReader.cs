using System.Runtime.CompilerServices;
using Tether.IO;
using Tether.Journaling.Internal;

namespace Tether.Journaling;

/// <summary>
/// Reads a journal: never takes the lock, never changes a file, so any number of readers can run beside the writers.
/// Every read streams in constant memory (one line at a time, up to <see cref="JournalReaderOptions.MaxLineBytes"/>) in
/// seq order across segments. A torn final record is reported in the <see cref="JournalReadReport"/>, never as damage;
/// damage in the middle throws <see cref="JournalCorruptionException"/> in strict mode and is skipped and reported in
/// tolerant mode. Linux only.
/// </summary>
public sealed partial class JournalReader
{
    /// <summary>The most records <see cref="ReadLastAsync"/> returns.</summary>
    public const int MaxLastCount = 100_000;

    /// <summary>Creates a reader of the journal in <paramref name="directory"/>. Nothing is opened until a read starts.</summary>
    /// <exception cref="PlatformNotSupportedException">Not on Linux.</exception>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public JournalReader(string directory, JournalReaderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("Tether.Journal is implemented and tested on Linux only.");
        }

        Options = options ?? new JournalReaderOptions();
        Options.Validate();
        Directory = Path.GetFullPath(directory);
    }

    /// <summary>The journal directory (absolute).</summary>
    public string Directory { get; }

    /// <summary>The options in force.</summary>
    public JournalReaderOptions Options { get; }

    /// <summary>The segments, oldest first, with their sizes; reads no record.</summary>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="JournalFormatException">The directory is not a journal of this format version.</exception>
    public IReadOnlyList<JournalSegment> ListSegments() =>
        OpenSegments().Select(s => new JournalSegment(s.Name, s.FirstSeq, DurableFile.TryStat(s.Path)?.Size ?? 0)).ToList();

    /// <summary>
    /// Streams the records matching <paramref name="query"/> in seq order, from the oldest segment that can hold
    /// <see cref="JournalQuery.FromSeq"/> to the end of the journal as it is while the read goes on.
    /// </summary>
    /// <param name="query">Which records; null for all.</param>
    /// <param name="report">Receives what the read met besides records (skipped damage, torn tail, pruned segments).</param>
    /// <param name="cancellationToken">Stops the read.</param>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="JournalFormatException">The directory is not a journal of this format version.</exception>
    /// <exception cref="JournalCorruptionException">Strict mode: damage in the middle, with segment, offset and seq.</exception>
    public async IAsyncEnumerable<JournalRecord> ReadAsync(
        JournalQuery? query = null,
        JournalReadReport? report = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        query ??= JournalQuery.All;
        var segments = OpenSegments();
        var start = 0;
        var end = segments.Count;
        if (query.FromSeq is { } from)
        {
            start = Math.Max(0, segments.FindLastIndex(s => s.FirstSeq <= from));
        }

        if (query.ToSeq is { } to)
        {
            var after = segments.FindIndex(start, s => s.FirstSeq > to);
            end = after < 0 ? segments.Count : Math.Max(after, start + 1);
            end = Math.Min(end, segments.Count);
        }

        if (start >= end)
        {
            yield break;
        }

        var range = segments.GetRange(start, end - start);
        await foreach (var item in SegmentScanner.ScanAsync(Directory, range, end == segments.Count, null, Options.MaxLineBytes, cancellationToken).ConfigureAwait(false))
        {
            if (item.Kind == ScanKind.Record)
            {
                var record = item.Record!;
                if (query.ToSeq is { } last && record.Seq > last)
                {
                    yield break;
                }

                if (query.Matches(record))
                {
                    yield return record;
                }
            }
            else
            {
                Note(item, report);
            }
        }
    }

    /// <summary>
    /// The last <paramref name="count"/> records matching <paramref name="query"/>, oldest first. Reads segments from the
    /// newest backwards and stops as soon as it has enough, so the cost does not grow with the journal's length; memory is
    /// bounded by <paramref name="count"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is not between 1 and <see cref="MaxLastCount"/>.</exception>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="JournalFormatException">The directory is not a journal of this format version.</exception>
    /// <exception cref="JournalCorruptionException">Strict mode: damage in a segment read.</exception>
    public async Task<IReadOnlyList<JournalRecord>> ReadLastAsync(
        int count, JournalQuery? query = null, JournalReadReport? report = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, MaxLastCount);
        query ??= JournalQuery.All;
        var segments = OpenSegments();
        var chunks = new List<List<JournalRecord>>();
        var collected = 0;
        (ulong Seq, string Segment)? laterFirst = null;

        for (var i = segments.Count - 1; i >= 0 && collected < count; i--)
        {
            var segment = segments[i];
            if (query.ToSeq is { } to && segment.FirstSeq > to)
            {
                continue;
            }

            var need = count - collected;
            var ring = new Queue<JournalRecord>(Math.Min(need, 1024));
            ulong? firstSeq = null, lastSeq = null;
            var pruned = false;
            await foreach (var item in SegmentScanner.ScanAsync(Directory, [segment], i == segments.Count - 1, null, Options.MaxLineBytes, cancellationToken).ConfigureAwait(false))
            {
                if (item.Kind == ScanKind.Record)
                {
                    var record = item.Record!;
                    firstSeq ??= record.Seq;
                    lastSeq = record.Seq;
                    if (query.Matches(record))
                    {
                        ring.Enqueue(record);
                        if (ring.Count > need)
                        {
                            ring.Dequeue();
                        }
                    }
                }
                else
                {
                    pruned |= item.Kind == ScanKind.SegmentPruned;
                    Note(item, report);
                }
            }

            if (laterFirst is { } later && lastSeq is { } end && end + 1 != later.Seq)
            {
                Note(new ScanItem(ScanKind.Problem, Problem: new JournalProblem(
                    end + 1 < later.Seq ? JournalProblemKind.SeqGap : JournalProblemKind.SeqNotIncreasing,
                    later.Segment, 0, 0, end + 1,
                    $"the previous segment ends at seq {end}, but this one starts at seq {later.Seq}")), report);
            }

            if (firstSeq is { } start)
            {
                laterFirst = (start, segment.Name);
            }

            chunks.Add([.. ring]);
            collected += ring.Count;
            if (pruned || (query.FromSeq is { } from && segment.FirstSeq <= from))
            {
                break;
            }
        }

        var result = new List<JournalRecord>(collected);
        for (var i = chunks.Count - 1; i >= 0; i--)
        {
            result.AddRange(chunks[i]);
        }

        return result;
    }

    /// <summary>The segments, after checking the directory is a journal this version reads.</summary>
    private List<SegmentFile> OpenSegments()
    {
        var status = DurableFile.TryStat(Directory);
        if (status is null)
        {
            throw new DirectoryNotFoundException($"No journal at '{Directory}': the directory does not exist.");
        }

        if (!Manifest.Check(Directory))
        {
            throw new JournalFormatException(Directory, $"it has no {JournalLayout.ManifestName}, so it is not a Tether journal (a journal gets one when it is first opened for writing)");
        }

        return JournalLayout.ListSegments(Directory);
    }

    /// <summary>Handles what is not a record: damage throws in strict mode, everything else goes to the report.</summary>
    private void Note(ScanItem item, JournalReadReport? report)
    {
        switch (item.Kind)
        {
            case ScanKind.Problem when Options.Mode == ReadMode.Strict:
                throw new JournalCorruptionException(Directory, item.Problem!);
            case ScanKind.Problem:
                report?.Add(item.Problem!);
                break;
            case ScanKind.TornTail:
                if (report is not null)
                {
                    report.TornTail = item.TornTail;
                }

                break;
            case ScanKind.SegmentPruned:
                report?.AddPruned(item.Segment!);
                break;
        }
    }
}
