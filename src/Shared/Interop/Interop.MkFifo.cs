using System.Runtime.InteropServices;

namespace Tether.Interop;

/// <summary><c>mkfifo(3)</c>.</summary>
internal static unsafe partial class Libc
{
    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int mkfifo(byte* path, int mode);
}
