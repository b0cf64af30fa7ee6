using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Tether.Interop;

/// <summary><c>pwrite(2)</c>: writes at an offset without moving the file position.</summary>
internal static unsafe partial class Libc
{
    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial nint pwrite(SafeFileHandle fd, byte* buffer, nint count, long offset);
}
