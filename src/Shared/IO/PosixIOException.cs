using Tether.Interop;

namespace Tether.IO;

/// <summary>A failed system call on a file Tether owns, with the errno and what was being done, so the public errors can
/// say exactly what went wrong ("No space left on device (ENOSPC) while writing …").</summary>
internal sealed class PosixIOException : IOException
{
    public PosixIOException(int errno, string operation, string path)
        : base($"{Libc.ErrorText(errno)} ({Libc.ErrorName(errno)}) while {operation} '{path}'", errno)
    {
        Errno = errno;
        Operation = operation;
        Path = path;
    }

    /// <summary>The OS error number.</summary>
    public int Errno { get; }

    /// <summary>What was being done, in words ("writing", "syncing", …).</summary>
    public string Operation { get; }

    /// <summary>The file concerned.</summary>
    public string Path { get; }

    /// <summary>Whether the error means the file system is out of space or quota.</summary>
    public bool IsDiskFull => Errno is Libc.ENOSPC or Libc.EDQUOT or Libc.EFBIG;

    /// <summary>Whether the path is a symbolic link that an O_NOFOLLOW open refused.</summary>
    public bool IsSymbolicLink => Errno == Libc.ELOOP;
}
