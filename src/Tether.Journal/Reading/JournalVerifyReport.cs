using System.Globalization;
using System.Text;

namespace Tether.Journaling;

/// <summary>
/// The result of <see cref="JournalReader.VerifyAsync"/>: every checksum, seq continuity (no gap, no duplicate), segment
/// names and order. <see cref="IsValid"/> is true when nothing is wrong; a torn tail does not make a journal invalid.
/// </summary>
public sealed class JournalVerifyReport
{
    internal JournalVerifyReport(
        string directory,
        IReadOnlyList<JournalSegmentSummary> segments,
        JournalReadReport problems,
        long records,
        IReadOnlyList<string> tornFiles)
    {
        Directory = directory;
        Segments = segments;
        Problems = problems.Problems;
        ProblemCount = problems.ProblemCount;
        TornTail = problems.TornTail;
        SegmentsPrunedWhileVerifying = problems.SegmentsPrunedWhileReading;
        Records = records;
        TornFiles = tornFiles;
        FirstSeq = segments.Select(s => s.FirstSeq).FirstOrDefault(s => s is not null);
        LastSeq = segments.Select(s => s.LastSeq).LastOrDefault(s => s is not null);
    }

    /// <summary>The journal directory.</summary>
    public string Directory { get; }

    /// <summary>Whether the journal has no problem (a torn tail is allowed: it is what a crash leaves).</summary>
    public bool IsValid => ProblemCount == 0;

    /// <summary>The first <see cref="JournalReadReport.MaxProblemsKept"/> problems, in file order.</summary>
    public IReadOnlyList<JournalProblem> Problems { get; }

    /// <summary>How many problems there are in all.</summary>
    public long ProblemCount { get; }

    /// <summary>The torn tail at the end, if any (the next writer will cut it off into a <c>torn-*.bin</c> file).</summary>
    public JournalTornTail? TornTail { get; }

    /// <summary>Every segment, oldest first.</summary>
    public IReadOnlyList<JournalSegmentSummary> Segments { get; }

    /// <summary>Segments retention deleted while the verify ran (not a problem).</summary>
    public IReadOnlyList<string> SegmentsPrunedWhileVerifying { get; }

    /// <summary>Valid records.</summary>
    public long Records { get; }

    /// <summary>The first valid record's seq (above 1 once retention has deleted old segments), or null.</summary>
    public ulong? FirstSeq { get; }

    /// <summary>The last valid record's seq, or null.</summary>
    public ulong? LastSeq { get; }

    /// <summary>The <c>torn-*.bin</c> files beside the segments: torn tails cut off by writers, kept for inspection.</summary>
    public IReadOnlyList<string> TornFiles { get; }

    /// <summary>A human summary: one line of totals, then one line per problem (at most 20).</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{(IsValid ? "valid" : "INVALID")}: {Count(Records, "record")} in {Count(Segments.Count, "segment")}");
        if (FirstSeq is { } first && LastSeq is { } last)
        {
            text.Append(CultureInfo.InvariantCulture, $", seq {first}..{last}");
        }

        text.Append(CultureInfo.InvariantCulture, $", {Count(ProblemCount, "problem")}");
        if (TornTail is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $", {TornTail}");
        }

        if (TornFiles.Count > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $", {Count(TornFiles.Count, "torn-*.bin file")}");
        }

        foreach (var problem in Problems.Take(20))
        {
            text.Append('\n').Append(problem);
        }

        if (ProblemCount > 20)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n… and {ProblemCount - 20} more");
        }

        return text.ToString();
    }

    /// <summary>"1 record", "2 records": a count with its noun agreeing.</summary>
    private static string Count(long count, string noun) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {noun}{(count == 1 ? "" : "s")}");
}
