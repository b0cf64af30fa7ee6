using System.Runtime.InteropServices;

namespace Tether.Interop;

/// <summary><c>mprotect(2)</c>: turns a written page executable (and no longer writable) before it runs.</summary>
internal static unsafe partial class Libc
{
    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int mprotect(void* address, nuint length, int protection);
}
