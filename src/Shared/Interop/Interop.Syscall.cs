using System.Runtime.InteropServices;

namespace Tether.Interop;

/// <summary><c>syscall(2)</c> for calls glibc has no wrapper for (<c>pidfd_open</c>, <c>gettid</c>, <c>ioprio_set</c>).
/// It is variadic in C; arguments a call does not use are passed as 0 and ignored by the kernel.</summary>
internal static partial class Libc
{
    public const int SYS_pidfd_open = 434;

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial long syscall(long number, long arg1, long arg2, long arg3 = 0);
}
