using System.Globalization;
using System.Text;

namespace Tether.Watch;

/// <summary>Where a file's chain starts or ends: a seq (0 before a log's first row) and its chain value.</summary>
internal readonly record struct AuditAnchor(ulong Seq, byte[] Chain)
{
    /// <summary>Before a log's first row: seq 0, 32 zero bytes.</summary>
    public static AuditAnchor Start => new(0, new byte[AuditFormat.ChainBytes]);
}

/// <summary>What a scan of one audit file found.</summary>
internal sealed class AuditFileScan
{
    /// <summary>The first problem, or null when the whole file checked out.</summary>
    public AuditProblem? Problem { get; set; }

    /// <summary>True when a complete, valid header line was read.</summary>
    public bool HasHeader { get; set; }

    /// <summary>The <c>prev-seq</c> of the header, when it has one.</summary>
    public ulong? HeaderPreviousSeq { get; set; }

    /// <summary>Rows that checked out.</summary>
    public long Rows { get; set; }

    /// <summary>The seq of the first good row, if any.</summary>
    public ulong? FirstSeq { get; set; }

    /// <summary>The last good row (or the anchor the file starts from, when no row checked out).</summary>
    public AuditAnchor Last { get; set; } = AuditAnchor.Start;

    /// <summary>Bytes through the line end of the last good line (header included): where a repair cuts.</summary>
    public long GoodLength { get; set; }

    /// <summary>For a torn problem: the bytes from the torn line's start to the end of the file.</summary>
    public long TornBytes { get; set; }
}

/// <summary>
/// Checks one audit file: header, then every row's syntax, seq and chain, stopping at the first problem. Shared by
/// <see cref="AuditVerifier"/> and by <see cref="AuditLog.Open"/>, which must know where the chain ends before it
/// appends.
/// </summary>
internal static class AuditFileScanner
{
    /// <summary>Scans <paramref name="stream"/> from its current position (the file's start).</summary>
    /// <param name="stream">The file's content.</param>
    /// <param name="file">The file's name for problems, as the user gave it.</param>
    /// <param name="isNewest">True for the last file of the log: an unreadable final row there is torn, not malformed.</param>
    /// <param name="previous">Where the file given before this one ended; null when this is the first file given.</param>
    public static AuditFileScan Scan(Stream stream, string file, bool isNewest, AuditAnchor? previous)
    {
        var scan = new AuditFileScan();
        var reader = new AuditLineReader(stream);
        if (!reader.TryRead(out var first))
        {
            scan.Problem = new AuditProblem(AuditProblemKind.BadHeader, file, 1, null, "the file is empty: an audit file starts with a header line");
            return scan;
        }

        if (!ReadHeader(scan, file, first, previous))
        {
            return scan;
        }

        var last = scan.Last;
        while (reader.TryRead(out var line))
        {
            if (line.TooLong)
            {
                scan.Problem = new AuditProblem(AuditProblemKind.Malformed, file, line.Number, null,
                    string.Create(CultureInfo.InvariantCulture, $"the line is longer than {AuditFormat.MaxLineBytes} bytes, and no row is"));
                return scan;
            }

            if (!line.Terminated)
            {
                scan.TornBytes = line.Bytes.Length;
                scan.Problem = new AuditProblem(AuditProblemKind.Torn, file, line.Number, null,
                    string.Create(CultureInfo.InvariantCulture, $"the final row is incomplete ({line.Bytes.Length} bytes without a line end): the writer stopped mid-row; the watcher repairs this when it next opens the log"));
                return scan;
            }

            AuditRow? row = null;
            var error = "the row is not valid UTF-8";
            if (!TryDecode(line.Bytes, out var text) || !AuditRow.TryRead(text, out row, out error))
            {
                if (isNewest && reader.AtEnd())
                {
                    scan.TornBytes = line.Bytes.Length + 1;
                    scan.Problem = new AuditProblem(AuditProblemKind.Torn, file, line.Number, null,
                        $"the final row does not read ({error}): the writer stopped mid-row; the watcher repairs this when it next opens the log");
                }
                else
                {
                    scan.Problem = new AuditProblem(AuditProblemKind.Malformed, file, line.Number, null, error);
                }

                return scan;
            }

            var expected = last.Seq + 1;
            if (row.Seq != expected)
            {
                scan.Problem = SeqProblem(reader, file, line.Number, row.Seq, expected);
                return scan;
            }

            var chain = AuditFormat.Chain(row.Kind, last.Chain, row.Text);
            if (!string.Equals(AuditFormat.Hex(chain), row.Chain, StringComparison.Ordinal))
            {
                scan.Problem = new AuditProblem(AuditProblemKind.Edited, file, line.Number, row.Seq,
                    "the row's chain does not match its text and the chain of the row before it: the row was changed after it was written");
                return scan;
            }

            last = new AuditAnchor(row.Seq, chain);
            scan.Last = last;
            scan.Rows++;
            scan.FirstSeq ??= row.Seq;
            scan.GoodLength = line.Offset + line.Bytes.Length + 1;
        }

        return scan;
    }

    private static bool ReadHeader(AuditFileScan scan, string file, AuditLine line, AuditAnchor? previous)
    {
        if (line.TooLong)
        {
            scan.Problem = new AuditProblem(AuditProblemKind.BadHeader, file, 1, null, "the first line is not an audit header (it is far too long)");
            return false;
        }

        if (!line.Terminated)
        {
            scan.TornBytes = line.Bytes.Length;
            scan.Problem = LooksLikeHeader(line.Bytes)
                ? new AuditProblem(AuditProblemKind.Torn, file, 1, null,
                    string.Create(CultureInfo.InvariantCulture, $"the header is incomplete ({line.Bytes.Length} bytes without a line end): the writer stopped while creating the file"))
                : new AuditProblem(AuditProblemKind.BadHeader, file, 1, null, "the first line is not an audit header (and has no line end)");
            return false;
        }

        ulong? previousSeq = null;
        byte[]? previousChain = null;
        var error = "the first line is not valid UTF-8";
        if (!TryDecode(line.Bytes, out var text) || !AuditFormat.TryParseHeader(text, out previousSeq, out previousChain, out error))
        {
            scan.Problem = new AuditProblem(AuditProblemKind.BadHeader, file, 1, null, error);
            return false;
        }

        scan.HasHeader = true;
        scan.HeaderPreviousSeq = previousSeq;
        scan.GoodLength = line.Bytes.Length + 1;
        if (previous is not { } before)
        {
            scan.Last = previousSeq is { } seq ? new AuditAnchor(seq, previousChain!) : AuditAnchor.Start;
            return true;
        }

        var c = CultureInfo.InvariantCulture;
        if (previousSeq is not { } linkSeq)
        {
            scan.Problem = new AuditProblem(AuditProblemKind.Unlinked, file, 1, null,
                string.Create(c, $"the header starts a new log, but the file before it ends at seq {before.Seq}: give only the files of one log, oldest first"));
            return false;
        }

        if (linkSeq != before.Seq)
        {
            var why = linkSeq > before.Seq
                ? string.Create(c, $"rows {before.Seq + 1}–{linkSeq} are missing: a file between them was removed, or the files are not given oldest first")
                : "the files are not given oldest first, or one was given twice";
            scan.Problem = new AuditProblem(AuditProblemKind.Unlinked, file, 1, null,
                string.Create(c, $"the header continues seq {linkSeq}, but the file before it ends at seq {before.Seq}: {why}"));
            return false;
        }

        if (!previousChain!.AsSpan().SequenceEqual(before.Chain))
        {
            scan.Problem = new AuditProblem(AuditProblemKind.Unlinked, file, 1, null,
                string.Create(c, $"the header's prev-chain is not the chain of seq {before.Seq} in the file before it: the files belong to different logs, or a header was changed"));
            return false;
        }

        scan.Last = before;
        return true;
    }

    /// <summary>
    /// Why a row has seq <paramref name="found"/> where <paramref name="expected"/> belongs: when the expected seq
    /// comes later in the file, rows were moved; when it never comes, rows were removed.
    /// </summary>
    private static AuditProblem SeqProblem(AuditLineReader reader, string file, long number, ulong found, ulong expected)
    {
        var c = CultureInfo.InvariantCulture;
        if (found < expected)
        {
            return new AuditProblem(AuditProblemKind.Reordered, file, number, found,
                string.Create(c, $"seq {found} where {expected} was expected: the row was moved here from earlier, or repeated"));
        }

        while (reader.TryRead(out var later) && !later.TooLong)
        {
            if (LeadingSeq(later.Bytes) == expected)
            {
                return new AuditProblem(AuditProblemKind.Reordered, file, number, found,
                    string.Create(c, $"seq {found} where {expected} was expected, and seq {expected} comes later (line {later.Number}): rows were reordered"));
            }
        }

        var missing = found - expected;
        return new AuditProblem(AuditProblemKind.Removed, file, number, found, missing == 1
            ? string.Create(c, $"seq {found} where {expected} was expected: the row with seq {expected} was removed")
            : string.Create(c, $"seq {found} where {expected} was expected: the {missing} rows with seq {expected}–{found - 1} were removed"));
    }

    private static ulong? LeadingSeq(byte[] line)
    {
        var tab = Array.IndexOf(line, (byte)'\t');
        var digits = Encoding.ASCII.GetString(line, 0, tab < 0 ? line.Length : tab);
        return AuditFormat.TryParseSeq(digits, out var seq) ? seq : null;
    }

    private static bool LooksLikeHeader(byte[] partial)
    {
        var header = Encoding.ASCII.GetBytes(AuditFormat.PlainHeader);
        var common = Math.Min(partial.Length, header.Length);
        return partial.AsSpan(0, common).SequenceEqual(header.AsSpan(0, common));
    }

    private static bool TryDecode(byte[] bytes, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? text)
    {
        try
        {
            text = AuditFormat.StrictUtf8.GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = null;
            return false;
        }
    }
}
