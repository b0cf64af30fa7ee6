using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Tether.Interop;

/// <summary><c>statx(2)</c>: type, mode, owner, inode, size and device of a file, by path or by open handle.</summary>
internal static partial class Libc
{
    /// <summary><c>AT_SYMLINK_NOFOLLOW</c>: describe a symbolic link itself.</summary>
    public const int AT_SYMLINK_NOFOLLOW = 0x100;

    /// <summary><c>AT_EMPTY_PATH</c>: with an empty path, describe the open file <c>fd</c> refers to.</summary>
    public const int AT_EMPTY_PATH = 0x1000;

    /// <summary>The <c>S_IFMT</c> bits of a mode: the file type.</summary>
    public const int S_IFMT = 0xF000;
    public const int S_IFSOCK = 0xC000;
    public const int S_IFLNK = 0xA000;
    public const int S_IFREG = 0x8000;
    public const int S_IFDIR = 0x4000;
    public const int S_IFIFO = 0x1000;

    /// <summary><c>AT_FDCWD</c> as a handle: paths are relative to the current directory. Never closed.</summary>
    public static readonly SafeFileHandle CurrentDirectory = new(-100, ownsHandle: false);

    /// <summary>
    /// <c>statx(2)</c> of <paramref name="path"/> relative to <paramref name="directory"/> (<see cref="CurrentDirectory"/>
    /// for the usual meaning), or of the open file <paramref name="directory"/> itself with an empty path and
    /// <see cref="AT_EMPTY_PATH"/>.
    /// </summary>
    [LibraryImport(LibraryName, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int statx(SafeFileHandle directory, string path, int flags, StatxMask mask, out Statx status);

    /// <summary>Which fields of <see cref="Statx"/> to fill in (<c>STATX_*</c>).</summary>
    [Flags]
    public enum StatxMask : uint
    {
        /// <summary><c>STATX_TYPE</c>.</summary>
        Type = 0x1,

        /// <summary><c>STATX_MODE</c>.</summary>
        Mode = 0x2,

        /// <summary><c>STATX_NLINK</c>.</summary>
        LinkCount = 0x4,

        /// <summary><c>STATX_UID</c>.</summary>
        Owner = 0x8,

        /// <summary><c>STATX_INO</c>.</summary>
        Inode = 0x100,

        /// <summary><c>STATX_SIZE</c>.</summary>
        Size = 0x200,
    }

    /// <summary>The fields of <c>struct statx</c> Tether reads; the kernel's layout is the same on every architecture (256 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    public struct Statx
    {
        /// <summary><c>stx_mask</c>: which fields the kernel filled in.</summary>
        [FieldOffset(0)] public uint Mask;

        /// <summary><c>stx_nlink</c>.</summary>
        [FieldOffset(16)] public uint LinkCount;

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
