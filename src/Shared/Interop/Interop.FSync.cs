using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Tether.Interop;

/// <summary><c>fsync(2)</c>: returns once the file's data and metadata are on stable storage.</summary>
internal static partial class Libc
{
    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int fsync(SafeFileHandle fd);
}
