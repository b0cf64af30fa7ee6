using Tether.Interop;

namespace Tether.IO;

/// <summary>What statx says about a file: identity (device + inode), size, type, mode, link count and owner.</summary>
internal readonly record struct FileStatus(ulong Inode, ulong Device, long Size, ushort Mode, uint LinkCount, uint Owner)
{
    public bool IsRegularFile => (Mode & Libc.S_IFMT) == Libc.S_IFREG;

    public bool IsSymbolicLink => (Mode & Libc.S_IFMT) == Libc.S_IFLNK;

    public bool IsDirectory => (Mode & Libc.S_IFMT) == Libc.S_IFDIR;

    /// <summary>The permission bits (the low 12 bits of the mode).</summary>
    public int Permissions => Mode & 0xFFF;

    /// <summary>Whether both describe the same file (the same inode on the same device).</summary>
    public bool SameFileAs(FileStatus other) => Inode == other.Inode && Device == other.Device;
}
