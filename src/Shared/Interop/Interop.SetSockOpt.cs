using System.Runtime.InteropServices;

namespace Tether.Interop;

/// <summary><c>setsockopt(2)</c>.</summary>
internal static unsafe partial class Libc
{
    public const int SOL_SOCKET = 1;
    public const int SO_PASSCRED = 16;
    public const int SO_RCVBUFFORCE = 33;

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int setsockopt(int fd, int level, int option, void* value, uint valueLength);
}
