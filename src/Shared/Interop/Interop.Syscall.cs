using System.Runtime.InteropServices;

namespace Tether.Interop;

/// <summary><c>syscall(2)</c> for calls glibc has no wrapper for.</summary>
internal static partial class Libc
{
    public const int SYS_pidfd_open = 434;

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial long syscall(long number, long arg1, long arg2);
}
