using System.Runtime.InteropServices;

namespace Tether.Interop;

/// <summary><c>bind(2)</c> of a Unix socket to a path.</summary>
internal static unsafe partial class Libc
{
    /// <summary><c>struct sockaddr_un</c>: the family, then a NUL-terminated path of at most 107 bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct UnixSocketAddress
    {
        public const int PathCapacity = 108;

        public ushort Family;
        public fixed byte Path[PathCapacity];
    }

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int bind(int fd, UnixSocketAddress* address, uint addressLength);
}
