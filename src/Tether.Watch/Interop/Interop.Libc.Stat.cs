using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Tether.Watch.Interop;

/// <summary>
/// The calls that vet a recovery command file (<see cref="RecoveryCommand.FromFile"/>): open without following a
/// symlink, <c>statx</c> for type, owner and mode, and the watcher's effective uid. The C# names are distinct from the
/// raw entry points so that they never clash with another part of this class.
/// </summary>
internal static unsafe partial class Libc
{
    /// <summary><c>open(2)</c> returning an owned handle (invalid on failure; the errno is kept for <see cref="Marshal.GetLastPInvokeError"/>).</summary>
    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial SafeFileHandle OpenToInspect(string path, int flags, int mode);

    /// <summary><c>statx(2)</c> of a path relative to <c>AT_FDCWD</c> (pass <c>AT_SYMLINK_NOFOLLOW</c> to see a link itself).</summary>
    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int StatxOfPath(int directoryFd, string path, int flags, uint mask, out FileStatus status);

    /// <summary><c>statx(2)</c> of an open file (with <c>AT_EMPTY_PATH</c> and an empty path).</summary>
    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int StatxOfHandle(SafeFileHandle fd, string emptyPath, int flags, uint mask, out FileStatus status);

    /// <summary><c>geteuid(2)</c>: the effective uid the watcher runs as. Never fails.</summary>
    [LibraryImport("libc", EntryPoint = "geteuid")]
    internal static partial uint EffectiveUserId();

    /// <summary>
    /// The fields of <c>struct statx</c> a recovery command file is vetted by. The kernel's layout is the same on every
    /// architecture (256 bytes).
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    internal struct FileStatus
    {
        /// <summary><c>stx_mask</c>: which fields the kernel filled in.</summary>
        [FieldOffset(0)] public uint Mask;

        /// <summary><c>stx_uid</c>: the owner.</summary>
        [FieldOffset(20)] public uint Owner;

        /// <summary><c>stx_mode</c>: file type and permission bits.</summary>
        [FieldOffset(28)] public ushort Mode;

        /// <summary><c>stx_ino</c>.</summary>
        [FieldOffset(32)] public ulong Inode;

        /// <summary><c>stx_size</c> in bytes.</summary>
        [FieldOffset(40)] public ulong Size;

        /// <summary><c>stx_dev_major</c>.</summary>
        [FieldOffset(136)] public uint DeviceMajor;

        /// <summary><c>stx_dev_minor</c>.</summary>
        [FieldOffset(140)] public uint DeviceMinor;
    }
}
