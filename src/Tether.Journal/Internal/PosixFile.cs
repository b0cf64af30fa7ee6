using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Tether.Journaling.Interop;

namespace Tether.Journaling.Internal;

/// <summary>The file operations of the writer, as thin wrappers over the system calls: every open refuses symbolic links
/// (O_NOFOLLOW) and is close-on-exec, every file is created owner-only (0600), and every failure throws
/// <see cref="PosixIOException"/> with the errno.</summary>
internal static unsafe class PosixFile
{
    /// <summary>Owner read/write: the mode of every file the journal creates.</summary>
    public const int OwnerOnlyFile = 0x180; // 0600

    /// <summary>Opens an existing regular file for reading and writing; refuses a symbolic link.</summary>
    public static SafeFileHandle OpenExisting(string path) => Open(path, Libc.O_RDWR, "opening");

    /// <summary>Creates a new file (fails if the name exists, even as a dangling symbolic link) for reading and writing.</summary>
    public static SafeFileHandle CreateNew(string path) => Open(path, Libc.O_RDWR | Libc.O_CREAT | Libc.O_EXCL, "creating");

    /// <summary>Opens the file, creating it owner-only if missing; refuses a symbolic link and anything but a regular file.</summary>
    public static SafeFileHandle OpenOrCreate(string path) => Open(path, Libc.O_RDWR | Libc.O_CREAT, "opening");

    private static SafeFileHandle Open(string path, int flags, string operation)
    {
        var bytes = NullTerminated(path);
        int fd;
        fixed (byte* p = bytes)
        {
            fd = Libc.open(p, flags | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, OwnerOnlyFile);
        }

        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw errno == Libc.ELOOP
                ? new PosixIOException(errno, $"{operation} (it is a symbolic link, which the journal never writes through)", path)
                : new PosixIOException(errno, operation, path);
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        var status = Stat(handle, path);
        if ((status.Mode & Libc.S_IFMT) != Libc.S_IFREG)
        {
            handle.Dispose();
            throw new PosixIOException(Libc.EINVAL, $"{operation} (it is not a regular file)", path);
        }

        return handle;
    }

    /// <summary>Writes all of <paramref name="data"/> at <paramref name="offset"/>, retrying short writes and EINTR.</summary>
    public static void WriteAll(SafeFileHandle handle, ReadOnlySpan<byte> data, long offset, string path)
    {
        using var lease = new FdLease(handle);
        fixed (byte* start = data)
        {
            var written = 0;
            while (written < data.Length)
            {
                var n = Libc.pwrite(lease.Fd, start + written, data.Length - written, offset + written);
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
        using var lease = new FdLease(handle);
        var total = 0;
        fixed (byte* start = buffer)
        {
            while (total < buffer.Length)
            {
                var n = Libc.pread(lease.Fd, start + total, buffer.Length - total, offset + total);
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
    public static void DataSync(SafeFileHandle handle, string path)
    {
        using var lease = new FdLease(handle);
        var fd = lease.Fd;
        Check(Retry(() => Libc.fdatasync(fd)), "syncing", path);
    }

    /// <summary>fsync: data and all metadata.</summary>
    public static void FullSync(SafeFileHandle handle, string path)
    {
        using var lease = new FdLease(handle);
        var fd = lease.Fd;
        Check(Retry(() => Libc.fsync(fd)), "syncing", path);
    }

    /// <summary>Cuts the file to <paramref name="length"/> bytes.</summary>
    public static void Truncate(SafeFileHandle handle, long length, string path)
    {
        using var lease = new FdLease(handle);
        var fd = lease.Fd;
        Check(Retry(() => Libc.ftruncate(fd, length)), "truncating", path);
    }

    /// <summary>Takes an exclusive flock, waiting for it as long as another open file description holds it; the kernel
    /// releases a lock when its holder dies.</summary>
    public static void LockExclusive(SafeFileHandle handle, string path)
    {
        using var lease = new FdLease(handle);
        var fd = lease.Fd;
        Check(Retry(() => Libc.flock(fd, Libc.LOCK_EX)), "locking", path);
    }

    /// <summary>Tries to take an exclusive flock without waiting; false when another open file description holds it.</summary>
    public static bool TryLockExclusive(SafeFileHandle handle, string path)
    {
        using var lease = new FdLease(handle);
        var fd = lease.Fd;
        var errno = Retry(() => Libc.flock(fd, Libc.LOCK_EX | Libc.LOCK_NB));
        if (errno == Libc.EAGAIN)
        {
            return false;
        }

        Check(errno, "locking", path);
        return true;
    }

    /// <summary>Releases the flock.</summary>
    public static void Unlock(SafeFileHandle handle, string path)
    {
        using var lease = new FdLease(handle);
        var fd = lease.Fd;
        Check(Retry(() => Libc.flock(fd, Libc.LOCK_UN)), "unlocking", path);
    }

    /// <summary>fsyncs a directory, so that entries created, renamed or removed in it survive a crash.</summary>
    public static void SyncDirectory(string directory)
    {
        var bytes = NullTerminated(directory);
        int fd;
        fixed (byte* p = bytes)
        {
            fd = Libc.open(p, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        }

        if (fd < 0)
        {
            throw new PosixIOException(Marshal.GetLastPInvokeError(), "opening the directory", directory);
        }

        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        FullSync(handle, directory);
    }

    /// <summary>The status of <paramref name="path"/> itself (a symbolic link is not followed), or null when it does not exist.</summary>
    public static FileStatus? TryStat(string path)
    {
        var bytes = NullTerminated(path);
        Libc.Statx buffer;
        int result;
        fixed (byte* p = bytes)
        {
            result = Libc.statx(Libc.AT_FDCWD, p, Libc.AT_SYMLINK_NOFOLLOW, StatxMask, &buffer);
        }

        if (result != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno is Libc.ENOENT or Libc.ENOTDIR ? null : throw new PosixIOException(errno, "examining", path);
        }

        return ToStatus(buffer);
    }

    /// <summary>The status of an open file.</summary>
    public static FileStatus Stat(SafeFileHandle handle, string path)
    {
        using var lease = new FdLease(handle);
        Libc.Statx buffer;
        byte empty = 0;
        if (Libc.statx(lease.Fd, &empty, Libc.AT_EMPTY_PATH, StatxMask, &buffer) != 0)
        {
            throw new PosixIOException(Marshal.GetLastPInvokeError(), "examining", path);
        }

        return ToStatus(buffer);
    }

    /// <summary>rename(2): atomically replaces <paramref name="to"/>.</summary>
    public static void Rename(string from, string to)
    {
        var fromBytes = NullTerminated(from);
        var toBytes = NullTerminated(to);
        fixed (byte* f = fromBytes)
        fixed (byte* t = toBytes)
        {
            if (Libc.rename(f, t) != 0)
            {
                throw new PosixIOException(Marshal.GetLastPInvokeError(), $"renaming to '{to}'", from);
            }
        }
    }

    /// <summary>unlink(2) of a name (a symbolic link itself, never its target); false when it was already gone.</summary>
    public static bool Delete(string path)
    {
        var bytes = NullTerminated(path);
        fixed (byte* p = bytes)
        {
            if (Libc.unlink(p) == 0)
            {
                return true;
            }
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno == Libc.ENOENT ? false : throw new PosixIOException(errno, "deleting", path);
    }

    private const uint StatxMask = Libc.STATX_TYPE | Libc.STATX_MODE | Libc.STATX_INO | Libc.STATX_SIZE | Libc.STATX_NLINK;

    private static FileStatus ToStatus(in Libc.Statx buffer) =>
        new(buffer.Inode, ((ulong)buffer.DeviceMajor << 32) | buffer.DeviceMinor, (long)buffer.Size, buffer.Mode, buffer.LinkCount);

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

    private static byte[] NullTerminated(string value)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(value) + 1];
        Encoding.UTF8.GetBytes(value, bytes);
        return bytes;
    }

    /// <summary>Keeps a SafeFileHandle's descriptor alive (AddRef) for the duration of a raw system call.</summary>
    private ref struct FdLease
    {
        private readonly SafeFileHandle _handle;
        private bool _added;

        public FdLease(SafeFileHandle handle)
        {
            _handle = handle;
            _added = false;
            handle.DangerousAddRef(ref _added);
            Fd = (int)handle.DangerousGetHandle();
        }

        public int Fd { get; }

        public void Dispose()
        {
            if (_added)
            {
                _handle.DangerousRelease();
                _added = false;
            }
        }
    }
}

/// <summary>What statx says about a file: identity (device + inode), size, type and mode.</summary>
internal readonly record struct FileStatus(ulong Inode, ulong Device, long Size, ushort Mode, uint LinkCount)
{
    public bool IsRegularFile => (Mode & Libc.S_IFMT) == Libc.S_IFREG;

    public bool IsSymbolicLink => (Mode & Libc.S_IFMT) == Libc.S_IFLNK;

    public bool IsDirectory => (Mode & Libc.S_IFMT) == Libc.S_IFDIR;

    /// <summary>Whether both describe the same file (the same inode on the same device).</summary>
    public bool SameFileAs(FileStatus other) => Inode == other.Inode && Device == other.Device;
}
