using System.Runtime.InteropServices;
using Tether.Interop;

namespace Tether.Spawning;

/// <summary>Close-on-exec pipes whose descriptors never collide with 0, 1 or 2 (even if the host closed its stdio).</summary>
internal static unsafe class Pipes
{
    public static (int ReadEnd, int WriteEnd) Create()
    {
        var fds = stackalloc int[2];
        if (Libc.pipe2(fds, OpenFlags.CloseOnExec) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new ProcessIOException($"Could not create a pipe: {Libc.ErrorText(errno)} (too many open files?).");
        }

        return (AboveStdio(fds[0]), AboveStdio(fds[1]));
    }

    /// <summary>
    /// A close-on-exec Unix socket pair for a stream between the host and a child. The host's end is wrapped in a
    /// <see cref="System.Net.Sockets.Socket"/>, so reads and writes are truly asynchronous (epoll) instead of blocking a
    /// thread-pool thread per stream, as anonymous pipe streams do on Unix.
    /// </summary>
    public static (int HostEnd, int ChildEnd) CreateSocketPair()
    {
        var fds = stackalloc int[2];
        if (Libc.socketpair(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0, fds) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new ProcessIOException($"Could not create a socket pair: {Libc.ErrorText(errno)} (too many open files?).");
        }

        return (AboveStdio(fds[0]), AboveStdio(fds[1]));
    }

    /// <summary>A close-on-exec copy of this process's descriptor <paramref name="fd"/>, for a child to inherit.</summary>
    public static int Duplicate(int fd)
    {
        var copy = Libc.fcntl(fd, Libc.F_DUPFD_CLOEXEC, 3);
        if (copy < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new ProcessIOException($"Could not pass descriptor {fd} on to the program: {Libc.ErrorText(errno)}.");
        }

        return copy;
    }

    /// <summary>
    /// Asks for a pipe of <paramref name="bytes"/> (the default is 64 KiB): fewer, larger writes and reads for a
    /// program that writes a lot. Past the user's pipe budget the kernel refuses, and the pipe keeps its size.
    /// </summary>
    public static void TryGrow(int fd, int bytes) => _ = Libc.fcntl(fd, Libc.F_SETPIPE_SZ, bytes);

    public static int OpenDevNull(bool write)
    {
        var path = "/dev/null\0"u8;
        fixed (byte* p = path)
        {
            var fd = Libc.open(p, (write ? OpenFlags.WriteOnly : OpenFlags.ReadOnly) | OpenFlags.CloseOnExec, 0);
            if (fd < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw new ProcessIOException($"Could not open /dev/null: {Libc.ErrorText(errno)}.");
            }

            return AboveStdio(fd);
        }
    }

    public static void Close(int fd)
    {
        if (fd >= 0)
        {
            Libc.close(fd);
        }
    }

    internal static int AboveStdio(int fd)
    {
        if (fd > 2)
        {
            return fd;
        }

        var moved = Libc.fcntl(fd, Libc.F_DUPFD_CLOEXEC, 3);
        Libc.close(fd);
        if (moved < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new ProcessIOException($"Could not move a pipe descriptor above stdio: {Libc.ErrorText(errno)}.");
        }

        return moved;
    }
}
