using System.Globalization;

namespace Tether.Journaling;

/// <summary>
/// Bytes after the last valid record of the last segment: what a writer that died mid-write leaves behind (or a write
/// still in progress). Not corruption; the next writer moves them to a <c>torn-*.bin</c> file and cuts them off.
/// </summary>
public sealed class JournalTornTail
{
    internal JournalTornTail(string segment, long offset, long length, string reason, JournalProblemKind firstKind = JournalProblemKind.MissingNewline)
    {
        FirstKind = firstKind;
        Segment = segment;
        Offset = offset;
        Length = length;
        Reason = reason;
    }

    /// <summary>The segment file name (always the last segment).</summary>
    public string Segment { get; }

    /// <summary>Where the torn bytes start (right after the last valid record).</summary>
    public long Offset { get; }

    /// <summary>How many bytes there are.</summary>
    public long Length { get; }

    /// <summary>Why the first of them is not a record (an incomplete line, a bad checksum, …).</summary>
    public string Reason { get; }

    /// <summary>What is wrong with the first torn line, should it turn out not to be a torn tail after all.</summary>
    internal JournalProblemKind FirstKind { get; }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"torn tail in {Segment}: {Length} bytes at offset {Offset} ({Reason})");
}
