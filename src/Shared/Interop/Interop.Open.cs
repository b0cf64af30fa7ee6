using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Tether.Interop;

/// <summary><c>open(2)</c>.</summary>
internal static unsafe partial class Libc
{
    /// <summary>Owner read/write (0600): the mode of every file Tether creates.</summary>
    public const int OwnerOnlyFileMode = 0x180;

    /// <summary>
    /// The raw call, for the few paths that open, use and close a descriptor within one method without allocating
    /// (/proc and cgroupfs reads on every spawn, the spawn gate). Anything that keeps a descriptor uses
    /// <see cref="Open(string, OpenFlags, int)"/>.
    /// </summary>
    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int open(byte* path, OpenFlags flags, int mode);

    /// <summary>
    /// Opens <paramref name="path"/> as an owned handle. On failure the handle is invalid
    /// (<see cref="SafeHandle.IsInvalid"/>) and the errno is kept for <see cref="Marshal.GetLastPInvokeError"/>.
    /// <paramref name="mode"/> applies only with <see cref="OpenFlags.Create"/>.
    /// </summary>
    public static SafeFileHandle Open(string path, OpenFlags flags, int mode)
    {
        var length = Encoding.UTF8.GetByteCount(path);
        var bytes = length < 512 ? stackalloc byte[length + 1] : new byte[length + 1];
        Encoding.UTF8.GetBytes(path, bytes);
        bytes[length] = 0;
        fixed (byte* p = bytes)
        {
            var fd = open(p, flags, mode);

            // The errno survives the constructor: SafeFileHandle's constructor makes no system call.
            return new SafeFileHandle(fd, ownsHandle: true);
        }
    }
}
