using System.Runtime.InteropServices;

namespace Tether.Interop;

/// <summary><c>socket(2)</c>.</summary>
internal static partial class Libc
{
    public const int AF_UNIX = 1;
    public const int SOCK_STREAM = 1;
    public const int SOCK_DGRAM = 2;
    public const int SOCK_CLOEXEC = 0x80000;

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int socket(int domain, int type, int protocol);
}
