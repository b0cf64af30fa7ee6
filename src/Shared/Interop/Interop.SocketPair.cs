using System.Runtime.InteropServices;

namespace Tether.Interop;

/// <summary><c>socketpair(2)</c>.</summary>
internal static unsafe partial class Libc
{
    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int socketpair(int domain, int type, int protocol, int* fds);
}
