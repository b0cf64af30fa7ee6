using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Tether.Interop;

/// <summary><c>pread(2)</c>: reads at an offset without moving the file position.</summary>
internal static unsafe partial class Libc
{
    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial nint pread(SafeFileHandle fd, byte* buffer, nint count, long offset);
}
