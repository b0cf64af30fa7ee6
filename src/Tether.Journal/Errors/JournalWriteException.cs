namespace Tether.Journaling;

/// <summary>
/// An append (or a flush or prune) failed on the file system: out of space, an I/O error, a permission problem. The
/// record was not acknowledged; the journal is left valid and readable (a partial write is cut back off), and later
/// appends work again once the cause is gone.
/// </summary>
public sealed class JournalWriteException : JournalException
{
    internal JournalWriteException(string directory, string message, int errno, bool isDiskFull, Exception? inner)
        : base(message, inner)
    {
        Directory = directory;
        Errno = errno;
        IsDiskFull = isDiskFull;
    }

    /// <summary>The journal directory.</summary>
    public string Directory { get; }

    /// <summary>The OS error number (errno), or 0 when the failure did not come from a system call.</summary>
    public int Errno { get; }

    /// <summary>Whether the cause is a full file system or an exhausted quota (ENOSPC, EDQUOT, EFBIG).</summary>
    public bool IsDiskFull { get; }
}
