using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Tether.Interop;

namespace Tether.IO;

/// <summary>
/// The one way Tether writes a file it owns (journal segments, session files, cassettes, the audit log, the event
/// export). Every open refuses a symbolic link at the path in the same system call (<c>O_NOFOLLOW</c>, so there is no
/// check-then-open race) and is close-on-exec; every file is created owner-only (0600); every failure throws
/// <see cref="PosixIOException"/> with the errno. Appends repair a torn tail by moving the torn bytes to a side file
/// (<see cref="MoveTornTail"/>); whole-file writes replace atomically (<see cref="ReplaceAtomically"/>).
/// </summary>
internal static partial class DurableFile
{
    /// <summary>Owner read/write: the mode of every file Tether creates.</summary>
    public const int OwnerOnlyFile = Libc.OwnerOnlyFileMode;

    /// <summary>Owner read/write/execute (0700): a script Tether writes for its owner to run.</summary>
    public const int OwnerOnlyExecutable = OwnerOnlyFile | 0x40;

    /// <summary>Opens an existing regular file for reading and writing; refuses a symbolic link.</summary>
    public static SafeFileHandle OpenExisting(string path) => Open(path, OpenFlags.ReadWrite, "opening");

    /// <summary>Opens an existing regular file for reading only; refuses a symbolic link and never blocks on a FIFO.</summary>
    public static SafeFileHandle OpenForReading(string path) => Open(path, OpenFlags.ReadOnly | OpenFlags.NonBlocking, "opening");

    /// <summary>Creates a new file (fails if the name exists, even as a dangling symbolic link) for reading and writing.</summary>
    public static SafeFileHandle CreateNew(string path) => Open(path, OpenFlags.ReadWrite | OpenFlags.Create | OpenFlags.Exclusive, "creating");

    /// <summary>Opens the file, creating it owner-only if missing; refuses a symbolic link and anything but a regular file.</summary>
    public static SafeFileHandle OpenOrCreate(string path) => Open(path, OpenFlags.ReadWrite | OpenFlags.Create, "opening");

    private static SafeFileHandle Open(string path, OpenFlags flags, string operation)
    {
        var handle = Libc.Open(path, flags | OpenFlags.NoFollow | OpenFlags.CloseOnExec, OwnerOnlyFile);
        if (handle.IsInvalid)
        {
            var errno = Marshal.GetLastPInvokeError();
            handle.Dispose();
            throw errno == Libc.ELOOP
                ? new PosixIOException(errno, $"{operation} (it is a symbolic link, which Tether never writes through)", path)
                : new PosixIOException(errno, operation, path);
        }

        var status = Stat(handle, path);
        if (!status.IsRegularFile)
        {
            handle.Dispose();
            throw new PosixIOException(Libc.EINVAL, $"{operation} (it is not a regular file)", path);
        }

        return handle;
    }

    /// <summary>
    /// Makes an existing file owner-only: a mode with any bit beyond owner read/write is set to exactly 0600 (the file's
    /// owner may always do that; through the open handle, so never through a link). Returns whether it had to change.
    /// </summary>
    public static bool TightenToOwnerOnly(SafeFileHandle handle, string path)
    {
        var status = Stat(handle, path);
        if ((status.Permissions & ~OwnerOnlyFile) == 0)
        {
            return false;
        }

        SetMode(handle, (uint)OwnerOnlyFile, path);
        return true;
    }

    /// <summary>Sets the file's permission bits through its handle (no path lookup, so no link can be followed).</summary>
    private static void SetMode(SafeFileHandle handle, uint mode, string path)
    {
        bool added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            if (Libc.fchmod((int)handle.DangerousGetHandle(), mode) != 0)
            {
                throw new PosixIOException(Marshal.GetLastPInvokeError(), "setting the permissions of", path);
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }
}
