using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Tether.Interop;

/// <summary><c>ftruncate(2)</c>.</summary>
internal static partial class Libc
{
    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int ftruncate(SafeFileHandle fd, long length);
}
