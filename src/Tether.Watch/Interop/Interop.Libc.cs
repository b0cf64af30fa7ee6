using System.Runtime.InteropServices;

namespace Tether.Watch.Interop;

/// <summary>P/Invoke declarations for glibc on Linux x64/arm64 (LP64): the socket and file calls .NET does not expose
/// (recvmsg with SCM_CREDENTIALS, poll, eventfd, fchmod of a socket before bind, statx for inode numbers).</summary>
internal static unsafe partial class Libc
{
    private const string LibraryName = "libc";

    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int EINTR = 4;
    public const int EAGAIN = 11;
    public const int EACCES = 13;
    public const int ENOTDIR = 20;
    public const int EROFS = 30;
    public const int EADDRINUSE = 98;
    public const int ECONNREFUSED = 111;

    public const int AF_UNIX = 1;
    public const int SOCK_DGRAM = 2;
    public const int SOCK_CLOEXEC = 0x80000;

    public const int O_CLOEXEC = 0x80000;
    public const int O_NOFOLLOW = 0x20000;
    public const int O_PATH = 0x200000;

    public const int AT_FDCWD = -100;
    public const int AT_SYMLINK_NOFOLLOW = 0x100;
    public const int AT_EMPTY_PATH = 0x1000;

    public const uint STATX_TYPE = 0x1;
    public const uint STATX_MODE = 0x2;
    public const uint STATX_INO = 0x100;

    public const int S_IFMT = 0xF000;
    public const int S_IFSOCK = 0xC000;
    public const int S_IFLNK = 0xA000;
    public const int S_IFREG = 0x8000;
    public const int S_IFDIR = 0x4000;

    public const int SOL_SOCKET = 1;
    public const int SO_PASSCRED = 16;
    public const int SCM_RIGHTS = 1;
    public const int SCM_CREDENTIALS = 2;

    public const int MSG_CTRUNC = 0x8;
    public const int MSG_TRUNC = 0x20;
    public const int MSG_DONTWAIT = 0x40;
    public const int MSG_CMSG_CLOEXEC = 0x40000000;

    public const short POLLIN = 0x1;
    public const short POLLERR = 0x8;
    public const short POLLHUP = 0x10;
    public const short POLLNVAL = 0x20;

    public const int EFD_NONBLOCK = 0x800;
    public const int EFD_CLOEXEC = 0x80000;

    /// <summary>The size of <c>struct cmsghdr</c> (and <c>CMSG_LEN(0)</c>).</summary>
    public const int CmsgHeaderSize = 16;

    /// <summary><c>CMSG_SPACE(sizeof(struct ucred))</c>: one credentials message, aligned.</summary>
    public const int CredentialsSpace = CmsgHeaderSize + 16;

    /// <summary>The fields of <c>struct statx</c> the listener reads; the kernel's layout is the same on every architecture.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    public struct Statx
    {
        [FieldOffset(0)] public uint Mask;
        [FieldOffset(28)] public ushort Mode;
        [FieldOffset(32)] public ulong Inode;
        [FieldOffset(136)] public uint DeviceMajor;
        [FieldOffset(140)] public uint DeviceMinor;
    }

    /// <summary><c>struct iovec</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct IoVector
    {
        public void* Base;
        public nuint Length;
    }

    /// <summary><c>struct msghdr</c> (LP64: the socklen_t name length is padded to 8 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct MessageHeader
    {
        public void* Name;
        public uint NameLength;
        public IoVector* Vectors;
        public nuint VectorCount;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    /// <summary><c>struct cmsghdr</c>; the data follows at <see cref="CmsgHeaderSize"/>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ControlMessageHeader
    {
        public nuint Length;
        public int Level;
        public int Type;
    }

    /// <summary><c>struct ucred</c>: the sender's credentials as the kernel vouches for them.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Credentials
    {
        public int ProcessId;
        public uint UserId;
        public uint GroupId;
    }

    /// <summary><c>struct sockaddr_un</c>: the family, then a NUL-terminated path of at most 107 bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct UnixSocketAddress
    {
        public const int PathCapacity = 108;

        public ushort Family;
        public fixed byte Path[PathCapacity];
    }

    /// <summary><c>struct pollfd</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PollDescriptor
    {
        public int Fd;
        public short Events;
        public short ReturnedEvents;
    }

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int socket(int domain, int type, int protocol);

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int bind(int fd, UnixSocketAddress* address, uint addressLength);

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int setsockopt(int fd, int level, int option, void* value, uint valueLength);

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial nint recvmsg(int fd, MessageHeader* message, int flags);

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int poll(PollDescriptor* descriptors, nuint count, int timeoutMilliseconds);

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int eventfd(uint initialValue, int flags);

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial nint write(int fd, byte* buffer, nint count);

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int fchmod(int fd, uint mode);

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int chmod(byte* path, uint mode);

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int open(byte* path, int flags, int mode);

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int statx(int dirfd, byte* path, int flags, uint mask, Statx* buffer);

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int unlink(byte* path);

    /// <summary>The path as a NUL-terminated UTF-8 string for the calls above.</summary>
    public static byte[] NullTerminated(string path)
    {
        var bytes = new byte[System.Text.Encoding.UTF8.GetByteCount(path) + 1];
        System.Text.Encoding.UTF8.GetBytes(path, bytes);
        return bytes;
    }
}
