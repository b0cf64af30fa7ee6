using System.Runtime.CompilerServices;
using Microsoft.Win32.SafeHandles;
using Tether.IO;

namespace Tether.Journaling.Internal;

/// <summary>What the scanner met.</summary>
internal enum ScanKind
{
    Record,
    Problem,
    TornTail,
    SegmentPruned,
    SegmentDone,
}

/// <summary>One thing the scanner met, in file order.</summary>
internal readonly record struct ScanItem(
    ScanKind Kind,
    JournalRecord? Record = null,
    JournalProblem? Problem = null,
    JournalTornTail? TornTail = null,
    JournalSegmentSummary? Summary = null,
    string? Segment = null);

/// <summary>
/// Reads segments forward and classifies every byte: records (checked for seq continuity and for the segment's name),
/// problems, and the torn tail. The torn-tail rule is the writer's: in the journal's last segment, damaged lines with no
/// valid record after them are the torn tail, not corruption; anywhere else damage is a problem.
/// </summary>
internal static class SegmentScanner
{
    /// <summary>Damaged lines kept in detail while it is not yet known whether they are a torn tail.</summary>
    private const int MaxPendingKept = 100;

    /// <param name="directory">The journal directory (for messages).</param>
    /// <param name="segments">Consecutive segments, oldest first.</param>
    /// <param name="lastIsJournalEnd">Whether the last of <paramref name="segments"/> is the journal's last segment, where
    /// a torn tail may be.</param>
    /// <param name="expectedFirstSeq">The seq the first record should have, when the caller knows it.</param>
    /// <param name="maxLineBytes">The longest line accepted.</param>
    /// <param name="cancellationToken">Stops the scan.</param>
    public static async IAsyncEnumerable<ScanItem> ScanAsync(
        string directory,
        IReadOnlyList<SegmentFile> segments,
        bool lastIsJournalEnd,
        ulong? expectedFirstSeq,
        int maxLineBytes,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var expected = expectedFirstSeq;

        // Damaged lines at the end of the previous segment: the seqs they held are not a gap in the next one either.
        var trailingDamage = 0L;
        for (var index = 0; index < segments.Count; index++)
        {
            var segment = segments[index];
            var isEnd = lastIsJournalEnd && index == segments.Count - 1;
            var status = DurableFile.TryStat(segment.Path);
            if (status is null)
            {
                // Deleted by retention after the listing: gone by policy, and continuity restarts after it.
                expected = null;
                yield return new ScanItem(ScanKind.SegmentPruned, Segment: segment.Name);
                continue;
            }

            if (!status.Value.IsRegularFile)
            {
                yield return new ScanItem(ScanKind.Problem, Problem: new JournalProblem(
                    JournalProblemKind.NotARegularFile, segment.Name, 0, 0, expected,
                    status.Value.IsSymbolicLink ? "the segment is a symbolic link; it is not followed" : "the segment is not a regular file"));
                continue;
            }

            var handle = TryOpen(segment);
            if (handle is null)
            {
                expected = null;
                yield return new ScanItem(ScanKind.SegmentPruned, Segment: segment.Name);
                continue;
            }

            using (handle)
            {
                await foreach (var item in ScanSegmentAsync(directory, segment, handle, 0, isEnd, expected, maxLineBytes, cancellationToken, trailingDamage).ConfigureAwait(false))
                {
                    if (item.Kind == ScanKind.Record || item.Problem?.Kind == JournalProblemKind.InvalidText)
                    {
                        trailingDamage = 0;
                    }
                    else if (item.Problem?.Kind is JournalProblemKind.BadChecksum or JournalProblemKind.Malformed or JournalProblemKind.LineTooLong or JournalProblemKind.MissingNewline)
                    {
                        trailingDamage++;
                    }

                    if (item.Kind == ScanKind.SegmentDone && item.Summary!.LastSeq is { } last)
                    {
                        expected = last + 1;
                    }
                    else if (item.Kind == ScanKind.SegmentDone && item.Summary!.Records == 0 && expected is null)
                    {
                        // An empty segment still says which seq comes next: its name.
                        expected = segment.FirstSeq;
                    }

                    yield return item;
                }
            }
        }
    }

    /// <summary>Opens a segment for reading (never for writing, never through a symbolic link); null when retention
    /// deleted it after the listing.</summary>
    public static SafeFileHandle? TryOpen(SegmentFile segment)
    {
        if (DurableFile.TryStat(segment.Path) is not { IsRegularFile: true })
        {
            return null;
        }

        try
        {
            return File.OpenHandle(segment.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Scans one open segment from <paramref name="offset"/>; ends with a <see cref="ScanKind.SegmentDone"/> item.
    /// <paramref name="damagedLinesBefore"/> damaged lines ended the segment before it (their seqs are no gap).</summary>
    public static async IAsyncEnumerable<ScanItem> ScanSegmentAsync(
        string directory,
        SegmentFile segment,
        SafeFileHandle handle,
        long offset,
        bool isEnd,
        ulong? expected,
        int maxLineBytes,
        [EnumeratorCancellation] CancellationToken cancellationToken,
        long damagedLinesBefore = 0)
    {
        var summary = new JournalSegmentSummary(segment.Name, segment.FirstSeq);
        var pending = new List<JournalProblem>();
        var pendingCount = 0L;
        long pendingStart = -1;
        string? pendingReason = null;
        var pendingKind = JournalProblemKind.MissingNewline;
        var first = offset == 0;

        // Damaged lines since the last whole one: they stand for the seqs a gap after them would report again.
        var damagedLines = damagedLinesBefore;

        using var lines = new SegmentLineReader(handle, offset, maxLineBytes);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var kind = await lines.NextAsync(cancellationToken).ConfigureAwait(false);
            if (kind == LineKind.End)
            {
                break;
            }

            JournalProblem? damage = null;
            JournalRecord? record = null;
            LineDefect? sealedDefect = null;
            switch (kind)
            {
                case LineKind.Line:
                    var defect = RecordCodec.TryDecode(lines.Line, segment.Name, lines.Offset, out record);
                    if (defect is { IsSealed: true })
                    {
                        sealedDefect = defect;
                    }
                    else if (defect is not null)
                    {
                        damage = new JournalProblem(defect.Kind, segment.Name, lines.Offset, lines.Length, expected, defect.Reason);
                    }

                    break;
                case LineKind.TooLong:
                    damage = new JournalProblem(JournalProblemKind.LineTooLong, segment.Name, lines.Offset, lines.Length, expected,
                        $"a line of at least {lines.Length} bytes, over the reader's limit of {maxLineBytes}");
                    break;
                case LineKind.Partial:
                    damage = new JournalProblem(JournalProblemKind.MissingNewline, segment.Name, lines.Offset, lines.Length, expected,
                        "the segment ends inside a line (no newline)");
                    break;
            }

            summary.Bytes = lines.Offset + lines.Length;
            if (damage is not null)
            {
                if (isEnd)
                {
                    // Maybe a torn tail: only a valid record after it proves it is damage in the middle.
                    if (pendingStart < 0)
                    {
                        pendingStart = damage.Offset;
                        pendingReason = kind == LineKind.Partial ? "incomplete final line (no newline)" : damage.Detail;
                        pendingKind = damage.Kind;
                    }

                    pendingCount++;
                    if (pending.Count < MaxPendingKept)
                    {
                        pending.Add(damage);
                    }
                }
                else
                {
                    yield return new ScanItem(ScanKind.Problem, Problem: damage);
                }

                damagedLines++;
                continue;
            }

            // A whole line follows: whatever damage came before it was in the middle, not a torn tail.
            foreach (var problem in FlushPending(pending, pendingCount, segment.Name))
            {
                yield return new ScanItem(ScanKind.Problem, Problem: problem);
            }

            pending.Clear();
            pendingCount = 0;
            pendingStart = -1;

            var seq = record?.Seq ?? sealedDefect!.Seq!.Value;
            var damagedBefore = damagedLines;
            damagedLines = 0;
            if (sealedDefect is not null)
            {
                // Written whole but unreadable: one problem, and it holds its seq, so the records around it are no gap.
                first = false;
                if (expected is { } before && seq > before && seq - before > (ulong)damagedBefore)
                {
                    yield return new ScanItem(ScanKind.Problem, Problem: new JournalProblem(
                        JournalProblemKind.SeqGap, segment.Name, lines.Offset, 0, before,
                        $"seq {before} to {seq - 1} missing: the record here has seq {seq}"));
                }

                if (expected is null || seq >= expected)
                {
                    expected = seq + 1;
                }

                yield return new ScanItem(ScanKind.Problem, Problem: new JournalProblem(
                    sealedDefect.Kind, segment.Name, lines.Offset, lines.Length, seq, sealedDefect.Reason));
                continue;
            }

            if (first)
            {
                first = false;
                if (record!.Seq != segment.FirstSeq)
                {
                    yield return new ScanItem(ScanKind.Problem, Problem: new JournalProblem(
                        JournalProblemKind.SegmentNameMismatch, segment.Name, record.Offset, 0, record.Seq,
                        $"the segment's name says its first record has seq {segment.FirstSeq}, but it has seq {record.Seq}"));
                }
            }

            if (expected is { } next && record!.Seq != next)
            {
                if (record.Seq > next && record.Seq - next <= (ulong)damagedBefore)
                {
                    // The missing seqs are the damaged lines just reported: one damaged record is one problem, not
                    // also a gap (issue 11).
                }
                else if (record.Seq > next)
                {
                    yield return new ScanItem(ScanKind.Problem, Problem: new JournalProblem(
                        JournalProblemKind.SeqGap, segment.Name, record.Offset, 0, next,
                        $"seq {next} to {record.Seq - 1} missing: the record here has seq {record.Seq}"));
                }
                else
                {
                    yield return new ScanItem(ScanKind.Problem, Problem: new JournalProblem(
                        JournalProblemKind.SeqNotIncreasing, segment.Name, record.Offset, lines.Length, record.Seq,
                        $"seq {record.Seq} follows seq {next - 1} (a duplicate or a step back); the record is skipped"));
                    continue;
                }
            }

            expected = record!.Seq + 1;
            summary.Add(record);
            yield return new ScanItem(ScanKind.Record, Record: record);
        }

        if (pendingStart >= 0)
        {
            var torn = new JournalTornTail(segment.Name, pendingStart, summary.Bytes - pendingStart, pendingReason!, pendingKind);
            summary.TornTail = torn;
            yield return new ScanItem(ScanKind.TornTail, TornTail: torn);
        }

        if (!isEnd && summary.Records == 0 && summary.Bytes == 0 && offset == 0)
        {
            yield return new ScanItem(ScanKind.Problem, Problem: new JournalProblem(
                JournalProblemKind.EmptySegment, segment.Name, 0, 0, expected, "a segment other than the last holds no record"));
        }

        yield return new ScanItem(ScanKind.SegmentDone, Summary: summary);
    }

    private static IEnumerable<JournalProblem> FlushPending(List<JournalProblem> pending, long count, string segment)
    {
        foreach (var problem in pending)
        {
            yield return problem;
        }

        if (count > pending.Count)
        {
            var last = pending[^1];
            yield return new JournalProblem(last.Kind, segment, last.Offset + last.Length, 0, last.Seq,
                $"and {count - pending.Count} more damaged lines after this offset");
        }
    }
}
