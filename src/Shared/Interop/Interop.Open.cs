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
    public static int open(byte* path, OpenFlags flags, int mode) => open_native(path, NativeOpenFlags(flags), mode);

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

    /// <summary>
    /// <paramref name="flags"/> in this architecture's numbering: <see cref="OpenFlags"/> uses the generic Linux values;
    /// on ARM and POWER, O_DIRECTORY and O_NOFOLLOW have other bits (asm/fcntl.h).
    /// </summary>
    public static int NativeOpenFlags(OpenFlags flags) => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 or Architecture.X86 or Architecture.RiscV64 or Architecture.LoongArch64 or Architecture.S390x => (int)flags,
        Architecture.Arm64 or Architecture.Arm or Architecture.Ppc64le =>
            ((int)flags & ~(int)(OpenFlags.Directory | OpenFlags.NoFollow))
            | ((flags & OpenFlags.Directory) != 0 ? 0x4000 : 0)
            | ((flags & OpenFlags.NoFollow) != 0 ? 0x8000 : 0),
        var other => throw new PlatformNotSupportedException($"The open(2) flags of {other} are not known here; Tether opens files only where it knows them."),
    };

    [LibraryImport(LibraryName, EntryPoint = "open", SetLastError = true)]
    private static partial int open_native(byte* path, int flags, int mode);
}
