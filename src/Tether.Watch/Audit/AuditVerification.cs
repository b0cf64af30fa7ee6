using System.Globalization;

namespace Tether.Watch;

/// <summary>
/// What <see cref="AuditVerifier"/> found: valid, with the rows and seqs it checked, or the first bad row or file.
/// </summary>
public sealed class AuditVerification
{
    internal AuditVerification(IReadOnlyList<string> files, long rows, ulong? firstSeq, ulong? lastSeq, ulong? previousSeq, string? lastChain, AuditProblem? problem)
    {
        Files = files;
        Rows = rows;
        FirstSeq = firstSeq;
        LastSeq = lastSeq;
        PreviousSeq = previousSeq;
        LastChain = lastChain;
        Problem = problem;
    }

    /// <summary>The files checked, oldest first, as given.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>True when every file and every row checked out.</summary>
    public bool IsValid => Problem is null;

    /// <summary>Rows that checked out (all rows when valid; the rows before the first bad one otherwise).</summary>
    public long Rows { get; }

    /// <summary>The seq of the first good row, or null when there is none.</summary>
    public ulong? FirstSeq { get; }

    /// <summary>The seq of the last good row, or null when there is none.</summary>
    public ulong? LastSeq { get; }

    /// <summary>
    /// When the oldest file given continues an earlier file (a rotated log whose older generations were not given, or
    /// were deleted by rotation): the last seq of that earlier file, which its header names; else null. Its chain
    /// was the starting point of the check, taken on trust.
    /// </summary>
    public ulong? PreviousSeq { get; }

    /// <summary>The chain value of the last good row (or of the anchor when there are no rows), 64 hex digits; null when no header read.</summary>
    public string? LastChain { get; }

    /// <summary>The first thing wrong, or null when valid.</summary>
    public AuditProblem? Problem { get; }

    /// <summary><c>FILE…: ok, N rows, seq A–B</c>, or the problem (<see cref="AuditProblem.ToString"/>).</summary>
    public override string ToString()
    {
        if (Problem is { } problem)
        {
            return problem.ToString();
        }

        var c = CultureInfo.InvariantCulture;
        var text = string.Create(c, $"{string.Join(' ', Files)}: ok, {Rows} {(Rows == 1 ? "row" : "rows")}");
        if (FirstSeq is { } first && LastSeq is { } last)
        {
            text += string.Create(c, $", seq {first}–{last}");
        }

        if (PreviousSeq is { } previous)
        {
            text += string.Create(c, $" (continues seq {previous} of an earlier file, not checked)");
        }

        return text;
    }
}
