using System.Runtime.InteropServices;

namespace Tether.Interop;

/// <summary><c>access(2)</c>.</summary>
internal static unsafe partial class Libc
{
    public const int X_OK = 1;

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int access(byte* path, int mode);
}
