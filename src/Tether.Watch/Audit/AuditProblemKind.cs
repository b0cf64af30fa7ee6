namespace Tether.Watch;

/// <summary>What <see cref="AuditVerifier"/> found wrong with the first bad row or file.</summary>
public enum AuditProblemKind
{
    /// <summary>A file does not exist.</summary>
    Missing,

    /// <summary>A file cannot be read: a directory, no permission, an I/O error.</summary>
    Unreadable,

    /// <summary>The first line is not an audit header of a known version, or the file is empty.</summary>
    BadHeader,

    /// <summary>A row does not read: columns, seq, time, kind, chain shape, fields, UTF-8 or length.</summary>
    Malformed,

    /// <summary>
    /// The last line of a file is incomplete (no line end), or the last line of the newest file does not read: a
    /// writer stopped mid-row. <see cref="AuditLog.Open"/> repairs it.
    /// </summary>
    Torn,

    /// <summary>A row's chain does not match its text and the row before it: the row (or its chain) was changed.</summary>
    Edited,

    /// <summary>A row's seq skips ahead and the seqs it skips appear nowhere after it: rows were removed.</summary>
    Removed,

    /// <summary>A row's seq is out of order: rows were swapped, moved or repeated.</summary>
    Reordered,

    /// <summary>
    /// A file does not continue the file given before it: its header names another last seq or chain, or none (a
    /// file between them is missing, or the files were not given oldest first).
    /// </summary>
    Unlinked,
}
