using System.Runtime.InteropServices;

namespace Tether.Interop;

/// <summary><c>read(2)</c>.</summary>
internal static unsafe partial class Libc
{
    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial nint read(int fd, byte* buffer, nint count);
}
