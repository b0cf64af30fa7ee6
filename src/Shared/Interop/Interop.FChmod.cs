using System.Runtime.InteropServices;

namespace Tether.Interop;

/// <summary><c>fchmod(2)</c>.</summary>
internal static partial class Libc
{
    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int fchmod(int fd, uint mode);
}
