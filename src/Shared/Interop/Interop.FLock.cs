using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Tether.Interop;

/// <summary><c>flock(2)</c>: an advisory lock on an open file description; the kernel releases it when its holder dies.</summary>
internal static partial class Libc
{
    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int flock(SafeFileHandle fd, LockOperations operation);

    /// <summary>The operations of <c>flock(2)</c>.</summary>
    [Flags]
    public enum LockOperations
    {
        /// <summary><c>LOCK_SH</c>.</summary>
        Shared = 1,

        /// <summary><c>LOCK_EX</c>.</summary>
        Exclusive = 2,

        /// <summary><c>LOCK_NB</c>: fail with EAGAIN instead of waiting.</summary>
        NonBlocking = 4,

        /// <summary><c>LOCK_UN</c>.</summary>
        Unlock = 8,
    }
}
