using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Tether.Interop;

namespace Tether.IO;

/// <summary>Names in a directory: status, rename, delete, and the directory sync that makes changes to names durable.</summary>
internal static partial class DurableFile
{
    private const Libc.StatxMask StatusFields =
        Libc.StatxMask.Type | Libc.StatxMask.Mode | Libc.StatxMask.Inode | Libc.StatxMask.Size | Libc.StatxMask.LinkCount | Libc.StatxMask.Owner;

    // Counted per thread so a spec can see that an operation synced its directory, whatever else runs in parallel.
    [ThreadStatic]
    private static int t_directorySyncs;

    /// <summary>How many directory syncs have completed on the calling thread (what specs check durability by).</summary>
    public static int DirectorySyncsOnThisThread => t_directorySyncs;

    /// <summary>fsyncs a directory, so that entries created, renamed or removed in it survive a crash.</summary>
    public static void SyncDirectory(string directory)
    {
        using var handle = Libc.Open(directory, OpenFlags.ReadOnly | OpenFlags.Directory | OpenFlags.CloseOnExec, 0);
        if (handle.IsInvalid)
        {
            throw new PosixIOException(Marshal.GetLastPInvokeError(), "opening the directory", directory);
        }

        FullSync(handle, directory);
        t_directorySyncs++;
    }

    /// <summary>The status of <paramref name="path"/> itself (a symbolic link is not followed), or null when it does not exist.</summary>
    public static FileStatus? TryStat(string path)
    {
        if (Libc.statx(Libc.CurrentDirectory, path, Libc.AT_SYMLINK_NOFOLLOW, StatusFields, out var buffer) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno is Libc.ENOENT or Libc.ENOTDIR ? null : throw new PosixIOException(errno, "examining", path);
        }

        return ToStatus(buffer);
    }

    /// <summary>The status of an open file.</summary>
    public static FileStatus Stat(SafeFileHandle handle, string path)
    {
        if (Libc.statx(handle, "", Libc.AT_EMPTY_PATH, StatusFields, out var buffer) != 0)
        {
            throw new PosixIOException(Marshal.GetLastPInvokeError(), "examining", path);
        }

        return ToStatus(buffer);
    }

    /// <summary>rename(2): atomically replaces <paramref name="to"/>.</summary>
    public static void Rename(string from, string to)
    {
        if (Libc.rename(from, to) != 0)
        {
            throw new PosixIOException(Marshal.GetLastPInvokeError(), $"renaming to '{to}'", from);
        }
    }

    /// <summary>unlink(2) of a name (a symbolic link itself, never its target); false when it was already gone.</summary>
    public static bool Delete(string path)
    {
        if (Libc.unlink(path) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno == Libc.ENOENT ? false : throw new PosixIOException(errno, "deleting", path);
    }

    private static FileStatus ToStatus(in Libc.Statx buffer) =>
        new(buffer.Inode, ((ulong)buffer.DeviceMajor << 32) | buffer.DeviceMinor, (long)buffer.Size, buffer.Mode, buffer.LinkCount, buffer.Owner);
}
