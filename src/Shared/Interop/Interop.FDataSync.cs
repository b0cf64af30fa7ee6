using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Tether.Interop;

/// <summary><c>fdatasync(2)</c>: returns once the file's data (and its size) is on stable storage.</summary>
internal static partial class Libc
{
    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int fdatasync(SafeFileHandle fd);
}
