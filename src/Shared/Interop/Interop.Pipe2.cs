using System.Runtime.InteropServices;

namespace Tether.Interop;

/// <summary><c>pipe2(2)</c>.</summary>
internal static unsafe partial class Libc
{
    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int pipe2(int* fds, OpenFlags flags);
}
