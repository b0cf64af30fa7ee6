using System.Runtime.InteropServices;

namespace Tether.Interop;

/// <summary><c>close(2)</c> of a raw descriptor (owned descriptors are <see cref="Microsoft.Win32.SafeHandles.SafeFileHandle"/>s and close themselves).</summary>
internal static partial class Libc
{
    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int close(int fd);
}
