using System.Runtime.InteropServices;

namespace Tether.Interop;

/// <summary><c>ioctl(2)</c> with a pointer argument: the pseudo-terminal requests and FIONREAD (asm-generic numbers, the same on x64 and arm64).</summary>
internal static unsafe partial class Libc
{
    /// <summary>Reads the kernel <see cref="KernelTermios"/>.</summary>
    public const uint TCGETS = 0x5401;

    /// <summary>Sets the kernel <see cref="KernelTermios"/> at once.</summary>
    public const uint TCSETS = 0x5402;

    /// <summary>Sets the window size (the kernel sends SIGWINCH to the terminal's foreground process group).</summary>
    public const uint TIOCSWINSZ = 0x5414;

    /// <summary>Reads the pseudo-terminal's number (its slave is <c>/dev/pts/N</c>).</summary>
    public const uint TIOCGPTN = 0x80045430;

    /// <summary>Locks (non-zero) or unlocks (zero) the slave of a pseudo-terminal master: what <c>unlockpt(3)</c> does.</summary>
    public const uint TIOCSPTLCK = 0x40045431;

    /// <summary>How many bytes a pipe (or socket) holds unread, as an <c>int</c>.</summary>
    public const uint FIONREAD = 0x541B;

    /// <summary><c>c_lflag</c> bits that echo input back to the master.</summary>
    public const uint ECHO = 0x8, ECHOE = 0x10, ECHOK = 0x20, ECHONL = 0x40;

    /// <summary>The index of the end-of-file character in <see cref="KernelTermios"/>'s control characters.</summary>
    public const int VEOF = 4;

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int ioctl(int fd, nuint request, void* argument);

    /// <summary><c>struct winsize</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct WinSize
    {
        public ushort Rows;
        public ushort Columns;
        public ushort XPixels;
        public ushort YPixels;
    }

    /// <summary>The kernel's <c>struct termios</c> (what TCGETS/TCSETS take; glibc's own is larger).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct KernelTermios
    {
        public uint InputFlags;
        public uint OutputFlags;
        public uint ControlFlags;
        public uint LocalFlags;
        public byte Line;
        public fixed byte ControlCharacters[19];
    }
}
