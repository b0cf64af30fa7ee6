using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Tether.Interop;

namespace Tether.IO;

/// <summary>Positioned reads and writes, syncs, truncation and locks on an open file.</summary>
internal static unsafe partial class DurableFile
{
    /// <summary>Writes all of <paramref name="data"/> at <paramref name="offset"/>, retrying short writes and EINTR.</summary>
    public static void WriteAll(SafeFileHandle handle, ReadOnlySpan<byte> data, long offset, string path)
    {
        fixed (byte* start = data)
        {
            var written = 0;
            while (written < data.Length)
            {
                var n = Libc.pwrite(handle, start + written, data.Length - written, offset + written);
                if (n < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == Libc.EINTR)
                    {
                        continue;
                    }

                    throw new PosixIOException(errno, "writing", path);
                }

                if (n == 0)
                {
                    throw new PosixIOException(Libc.EIO, "writing (the write made no progress)", path);
                }

                written += (int)n;
            }
        }
    }

    /// <summary>Reads up to <paramref name="buffer"/>'s length at <paramref name="offset"/>; fewer bytes only at the end of the file.</summary>
    public static int ReadAt(SafeFileHandle handle, Span<byte> buffer, long offset, string path)
    {
        var total = 0;
        fixed (byte* start = buffer)
        {
            while (total < buffer.Length)
            {
                var n = Libc.pread(handle, start + total, buffer.Length - total, offset + total);
                if (n < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == Libc.EINTR)
                    {
                        continue;
                    }

                    throw new PosixIOException(errno, "reading", path);
                }

                if (n == 0)
                {
                    break;
                }

                total += (int)n;
            }
        }

        return total;
    }

    /// <summary>fdatasync: returns once the file's data (and its size) is on stable storage.</summary>
    public static void DataSync(SafeFileHandle handle, string path) => Check(Retry(() => Libc.fdatasync(handle)), "syncing", path);

    /// <summary>fsync: data and all metadata.</summary>
    public static void FullSync(SafeFileHandle handle, string path) => Check(Retry(() => Libc.fsync(handle)), "syncing", path);

    /// <summary>Cuts the file to <paramref name="length"/> bytes.</summary>
    public static void Truncate(SafeFileHandle handle, long length, string path) =>
        Check(Retry(() => Libc.ftruncate(handle, length)), "truncating", path);

    /// <summary>Takes an exclusive flock, waiting for it as long as another open file description holds it; the kernel
    /// releases a lock when its holder dies.</summary>
    public static void LockExclusive(SafeFileHandle handle, string path) =>
        Check(Retry(() => Libc.flock(handle, Libc.LockOperations.Exclusive)), "locking", path);

    /// <summary>Tries to take an exclusive flock without waiting; false when another open file description holds it.</summary>
    public static bool TryLockExclusive(SafeFileHandle handle, string path)
    {
        var errno = Retry(() => Libc.flock(handle, Libc.LockOperations.Exclusive | Libc.LockOperations.NonBlocking));
        if (errno == Libc.EAGAIN)
        {
            return false;
        }

        Check(errno, "locking", path);
        return true;
    }

    /// <summary>Releases the flock.</summary>
    public static void Unlock(SafeFileHandle handle, string path) =>
        Check(Retry(() => Libc.flock(handle, Libc.LockOperations.Unlock)), "unlocking", path);

    /// <summary>Runs a call that returns 0 or -1 with errno, again while it is interrupted; returns 0 or the errno.</summary>
    private static int Retry(Func<int> call)
    {
        while (call() != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno != Libc.EINTR)
            {
                return errno;
            }
        }

        return 0;
    }

    private static void Check(int errno, string operation, string path)
    {
        if (errno != 0)
        {
            throw new PosixIOException(errno, operation, path);
        }
    }
}
