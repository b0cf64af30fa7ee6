using System.Runtime.InteropServices;

namespace Tether.Interop;

/// <summary><c>fcntl(2)</c> with an integer argument.</summary>
internal static partial class Libc
{
    public const int F_GETFL = 3;
    public const int F_SETFL = 4;
    public const int F_DUPFD_CLOEXEC = 1030;
    public const int F_SETPIPE_SZ = 1031;

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int fcntl(int fd, int command, int argument);
}
