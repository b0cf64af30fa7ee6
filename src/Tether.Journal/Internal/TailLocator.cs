using Microsoft.Win32.SafeHandles;
using Tether.IO;

namespace Tether.Journaling.Internal;

/// <summary>
/// Finds the last valid record of a segment by reading backwards from its end. Everything after that record is the
/// torn tail. The same rule serves the writer (which cuts the tail off) and the readers (which leave it alone).
/// </summary>
internal static class TailLocator
{
    /// <summary>
    /// The most bytes a torn tail may have: more than one write of a conforming writer (at most
    /// <see cref="JournalOptions.MaxLineLimit"/> plus a repair record) can leave. Beyond it the tail is treated as
    /// damage, never cut off.
    /// </summary>
    public const int TornLimit = 2 * JournalOptions.MaxLineLimit;

    private const int FirstWindow = 64 * 1024;
    private const int MaxWindow = TornLimit + JournalOptions.MaxLineLimit;

    /// <summary>Locates the tail of a segment of <paramref name="length"/> bytes.</summary>
    /// <exception cref="JournalCorruptionException">The end of the segment holds more than <see cref="TornLimit"/> bytes
    /// without a valid record, or the last record's seq is below the segment's first seq.</exception>
    public static SegmentTail Locate(SafeFileHandle handle, string directory, SegmentFile segment, long length)
    {
        if (length == 0)
        {
            return new SegmentTail(0, null, null, 0, null);
        }

        var window = (int)Math.Min(length, FirstWindow);
        while (true)
        {
            var start = length - window;
            var buffer = new byte[window];
            var read = DurableFile.ReadAt(handle, buffer, start, segment.Path);
            if (read < window)
            {
                // The file shrank under us (another writer repaired it); the caller holds the lock only when writing,
                // so a reader simply looks at what is there now.
                length = start + read;
                if (length == 0)
                {
                    return new SegmentTail(0, null, null, 0, null);
                }

                window = (int)Math.Min(length, FirstWindow);
                continue;
            }

            var result = Scan(buffer, start, length, directory, segment);
            if (result is not null)
            {
                return result;
            }

            if (window >= length || window >= MaxWindow)
            {
                throw TooMuchDamage(directory, segment, length);
            }

            window = (int)Math.Min(Math.Min(length, (long)window * 4), MaxWindow);
        }
    }

    /// <summary>Scans the window backwards; null when the window is too small to decide.</summary>
    private static SegmentTail? Scan(byte[] buffer, long start, long length, string directory, SegmentFile segment)
    {
        var span = buffer.AsSpan();
        string? reason = null;
        int lineEnd; // index of the '\n' that ends the line being examined
        if (span[^1] != (byte)'\n')
        {
            var newline = span.LastIndexOf((byte)'\n');
            if (newline < 0)
            {
                return start == 0 ? Torn(0, length, "incomplete final line (no newline)") : null;
            }

            reason = "incomplete final line (no newline)";
            lineEnd = newline;
        }
        else
        {
            lineEnd = span.Length - 1;
        }

        while (true)
        {
            var previous = span[..lineEnd].LastIndexOf((byte)'\n');
            if (previous < 0 && start > 0)
            {
                return null;
            }

            var lineStart = previous + 1;
            var defect = RecordCodec.TryDecode(span[lineStart..lineEnd], segment.Name, start + lineStart, out var record);

            // A sealed line (right checksum, unreadable text) was written whole: it is the last record, never torn.
            var lastSeq = record?.Seq ?? defect?.Seq;
            if (lastSeq is { } seq)
            {
                var validEnd = start + lineEnd + 1;
                if (length - validEnd > TornLimit)
                {
                    throw TooMuchDamage(directory, segment, length);
                }

                if (seq < segment.FirstSeq)
                {
                    throw new JournalCorruptionException(directory, new JournalProblem(
                        JournalProblemKind.SegmentNameMismatch, segment.Name, start + lineStart, lineEnd - lineStart, seq,
                        $"the last record has seq {seq}, below the segment's first seq {segment.FirstSeq}"));
                }

                return new SegmentTail(validEnd, seq, record?.Timestamp ?? defect!.Timestamp, length - validEnd, length == validEnd ? null : reason);
            }

            reason = defect!.Reason;
            if (length - (start + lineStart) > TornLimit)
            {
                throw TooMuchDamage(directory, segment, length);
            }

            if (previous < 0)
            {
                return Torn(0, length, reason);
            }

            lineEnd = previous;
        }
    }

    private static SegmentTail Torn(long validEnd, long length, string reason) => new(validEnd, null, null, length - validEnd, reason);

    private static JournalCorruptionException TooMuchDamage(string directory, SegmentFile segment, long length) =>
        new(directory, new JournalProblem(
            JournalProblemKind.Malformed, segment.Name, Math.Max(0, length - TornLimit), Math.Min(length, TornLimit), null,
            $"no valid record in the last {Math.Min(length, TornLimit)} bytes of the segment: more than a torn write can leave, so it is not cut off"));
}

/// <summary>
/// The end of a segment: <see cref="ValidEnd"/> is the offset just after the last whole record (0 when there is none),
/// <see cref="LastSeq"/> and <see cref="LastTimestamp"/> its seq and time (also for a sealed record whose text cannot be
/// read), and <see cref="TornLength"/> bytes follow it with <see cref="TornReason"/> saying why the first of them is not
/// a record.
/// </summary>
internal sealed record SegmentTail(long ValidEnd, ulong? LastSeq, DateTimeOffset? LastTimestamp, long TornLength, string? TornReason);
