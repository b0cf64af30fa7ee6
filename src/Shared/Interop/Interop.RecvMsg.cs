using System.Runtime.InteropServices;

namespace Tether.Interop;

/// <summary><c>recvmsg(2)</c> with ancillary data (the sender's credentials).</summary>
internal static unsafe partial class Libc
{
    public const int SCM_RIGHTS = 1;
    public const int SCM_CREDENTIALS = 2;

    public const int MSG_CTRUNC = 0x8;
    public const int MSG_TRUNC = 0x20;
    public const int MSG_DONTWAIT = 0x40;
    public const int MSG_CMSG_CLOEXEC = 0x40000000;

    /// <summary>The size of <c>struct cmsghdr</c> (and <c>CMSG_LEN(0)</c>).</summary>
    public const int CmsgHeaderSize = 16;

    /// <summary><c>CMSG_SPACE(sizeof(struct ucred))</c>: one credentials message, aligned.</summary>
    public const int CredentialsSpace = CmsgHeaderSize + 16;

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

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial nint recvmsg(int fd, MessageHeader* message, int flags);
}
