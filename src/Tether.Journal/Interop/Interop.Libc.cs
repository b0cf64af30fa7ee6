using System.Runtime.InteropServices;

namespace Tether.Journaling.Interop;

/// <summary>P/Invoke declarations for glibc on Linux x64/arm64 (LP64): the file calls .NET does not expose (flock,
/// fdatasync, O_NOFOLLOW opens, statx for inode numbers, ftruncate with a precise errno).</summary>
internal static unsafe partial class Libc
{
    private const string LibraryName = "libc";

    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int EINTR = 4;
    public const int EIO = 5;
    public const int EAGAIN = 11;
    public const int EACCES = 13;
    public const int EEXIST = 17;
    public const int ENOTDIR = 20;
    public const int EISDIR = 21;
    public const int EINVAL = 22;
    public const int EFBIG = 27;
    public const int ENOSPC = 28;
    public const int EROFS = 30;
    public const int ELOOP = 40;
    public const int EDQUOT = 122;

    public const int O_RDONLY = 0;
    public const int O_WRONLY = 1;
    public const int O_RDWR = 2;
    public const int O_CREAT = 0x40;
    public const int O_EXCL = 0x80;
    public const int O_DIRECTORY = 0x10000;
    public const int O_NOFOLLOW = 0x20000;
    public const int O_CLOEXEC = 0x80000;

    public const int LOCK_SH = 1;
    public const int LOCK_EX = 2;
    public const int LOCK_NB = 4;
    public const int LOCK_UN = 8;

    public const int AT_FDCWD = -100;
    public const int AT_SYMLINK_NOFOLLOW = 0x100;
    public const int AT_EMPTY_PATH = 0x1000;

    public const uint STATX_TYPE = 0x1;
    public const uint STATX_MODE = 0x2;
    public const uint STATX_NLINK = 0x4;
    public const uint STATX_INO = 0x100;
    public const uint STATX_SIZE = 0x200;

    public const int S_IFMT = 0xF000;
    public const int S_IFREG = 0x8000;
    public const int S_IFDIR = 0x4000;
    public const int S_IFLNK = 0xA000;

    /// <summary>The fields of <c>struct statx</c> the journal reads; the kernel's layout is the same on every architecture.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    public struct Statx
    {
        [FieldOffset(0)] public uint Mask;
        [FieldOffset(16)] public uint LinkCount;
        [FieldOffset(28)] public ushort Mode;
        [FieldOffset(32)] public ulong Inode;
        [FieldOffset(40)] public ulong Size;
        [FieldOffset(136)] public uint DeviceMajor;
        [FieldOffset(140)] public uint DeviceMinor;
    }

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int open(byte* path, int flags, int mode);

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int flock(int fd, int operation);

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int fdatasync(int fd);

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int fsync(int fd);

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int ftruncate(int fd, long length);

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial nint pwrite(int fd, byte* buffer, nint count, long offset);

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial nint pread(int fd, byte* buffer, nint count, long offset);

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int statx(int dirfd, byte* path, int flags, uint mask, Statx* buffer);

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int rename(byte* oldPath, byte* newPath);

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int unlink(byte* path);

    [LibraryImport(LibraryName)]
    public static partial byte* strerror(int errnum);

    /// <summary>The C library's text for <paramref name="errno"/>, e.g. "No space left on device".</summary>
    public static string ErrorText(int errno) => Marshal.PtrToStringUTF8((nint)strerror(errno)) ?? $"errno {errno}";

    /// <summary>The symbolic name of the error numbers the journal explains to users, or the number.</summary>
    public static string ErrorName(int errno) => errno switch
    {
        EPERM => "EPERM",
        ENOENT => "ENOENT",
        EIO => "EIO",
        EACCES => "EACCES",
        EEXIST => "EEXIST",
        ENOTDIR => "ENOTDIR",
        EISDIR => "EISDIR",
        EINVAL => "EINVAL",
        EFBIG => "EFBIG",
        ENOSPC => "ENOSPC",
        EROFS => "EROFS",
        ELOOP => "ELOOP",
        EDQUOT => "EDQUOT",
        _ => $"errno {errno}",
    };
}
