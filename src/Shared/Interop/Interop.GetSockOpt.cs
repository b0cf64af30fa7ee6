using System.Runtime.InteropServices;

namespace Tether.Interop;

/// <summary><c>getsockopt(2)</c>; here for <c>SO_PEERCRED</c>, the credentials the kernel recorded for a Unix socket's peer at connect.</summary>
internal static unsafe partial class Libc
{
    public const int SO_PEERCRED = 17;

    /// <summary><c>struct ucred</c>: the peer's pid, uid and gid as the kernel saw them when it connected.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PeerCredentials
    {
        public int Pid;
        public uint Uid;
        public uint Gid;
    }

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int getsockopt(int fd, int level, int option, void* value, uint* valueLength);
}
