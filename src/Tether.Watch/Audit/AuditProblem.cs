using System.Globalization;

namespace Tether.Watch;

/// <summary>The first thing wrong in an audit log, and where it is.</summary>
/// <param name="Kind">What is wrong.</param>
/// <param name="File">The file, as it was given.</param>
/// <param name="Line">The line, 1-based (the header is line 1); null when the problem is the file as a whole (missing, unreadable).</param>
/// <param name="Seq">The seq the bad row says it has, when it has a readable one; else null.</param>
/// <param name="Detail">What is wrong, in words.</param>
public sealed record AuditProblem(AuditProblemKind Kind, string File, long? Line, ulong? Seq, string Detail)
{
    /// <summary>The kind as one word for people and JSON: <c>edited</c>, <c>bad_header</c>, …</summary>
    public string KindName => Kind switch
    {
        AuditProblemKind.Missing => "missing",
        AuditProblemKind.Unreadable => "unreadable",
        AuditProblemKind.BadHeader => "bad_header",
        AuditProblemKind.Malformed => "malformed",
        AuditProblemKind.Torn => "torn",
        AuditProblemKind.Edited => "edited",
        AuditProblemKind.Removed => "removed",
        AuditProblemKind.Reordered => "reordered",
        _ => "unlinked",
    };

    /// <summary><c>FILE line N (seq S): kind: detail</c>.</summary>
    public override string ToString()
    {
        var where = Line is { } line
            ? Seq is { } seq
                ? string.Create(CultureInfo.InvariantCulture, $"{File} line {line} (seq {seq})")
                : string.Create(CultureInfo.InvariantCulture, $"{File} line {line}")
            : File;
        return $"{where}: {KindName}: {Detail}";
    }
}
