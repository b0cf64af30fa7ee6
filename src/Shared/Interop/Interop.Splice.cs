using System.Runtime.InteropServices;

namespace Tether.Interop;

/// <summary><c>splice(2)</c>: moves bytes between a pipe and another descriptor inside the kernel, without a copy through user memory.</summary>
internal static unsafe partial class Libc
{
    /// <summary><c>SPLICE_F_MOVE</c>: move pages instead of copying where the kernel can.</summary>
    public const uint SPLICE_F_MOVE = 1;

    /// <summary><c>SPLICE_F_NONBLOCK</c>: the pipe side of the call does not block (<c>EAGAIN</c> instead).</summary>
    public const uint SPLICE_F_NONBLOCK = 2;

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial nint splice(int fdIn, long* offsetIn, int fdOut, long* offsetOut, nuint length, uint flags);
}
