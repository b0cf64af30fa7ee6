using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Tether.Interop;

namespace Tether.Spawning;

/// <summary>
/// One run's pseudo-terminal. The child opens the slave (<c>/dev/pts/N</c>) as a spawn file action right after
/// <c>POSIX_SPAWN_SETSID</c>, and on Linux a session leader without a controlling terminal that opens a terminal
/// without <c>O_NOCTTY</c> acquires it as its controlling terminal, with its own group in the foreground — so no
/// <c>TIOCSCTTY</c>, <c>tcsetpgrp</c> or exec shim is needed. The host never opens the slave.
/// </summary>
/// <remarks>
/// Echo is off (input written by the host, a password say, is not copied into the output). Output is relayed from
/// the master into a socket pair by one thread per terminal, so the host reads it like any other stream (epoll-driven);
/// a master cannot be given to the runtime's socket machinery, and a blocking read on a pool thread would hold that
/// thread for the run. The relay ends when the last holder of the slave closes it (the master then reads EIO).
/// </remarks>
internal sealed unsafe class PseudoTerminal : IDisposable
{
    private const short PollOut = 0x4;
    private readonly Lock _lock = new();
    private readonly byte _endOfFile;
    private int _master;
    private int _control;

    private PseudoTerminal(int master, int control, byte[] slavePath, byte endOfFile)
    {
        _master = master;
        _control = control;
        SlavePath = slavePath;
        _endOfFile = endOfFile;
    }

    /// <summary>The slave's path, NUL-terminated, for <c>posix_spawn_file_actions_addopen</c>.</summary>
    public byte[] SlavePath { get; }

    /// <summary>Opens a pseudo-terminal of <paramref name="size"/> with echo off.</summary>
    public static PseudoTerminal Open(TerminalSize size)
    {
        int master;
        fixed (byte* ptmx = "/dev/ptmx\0"u8)
        {
            master = Libc.open(ptmx, OpenFlags.ReadWrite | OpenFlags.NoControllingTerminal | OpenFlags.CloseOnExec, 0);
        }

        if (master < 0)
        {
            throw Failure("opening /dev/ptmx");
        }

        var control = -1;
        try
        {
            master = Pipes.AboveStdio(master);
            var unlock = 0;
            var number = 0;
            if (Libc.ioctl(master, Libc.TIOCSPTLCK, &unlock) != 0)
            {
                throw Failure("unlocking the terminal's slave");
            }

            if (Libc.ioctl(master, Libc.TIOCGPTN, &number) != 0)
            {
                throw Failure("finding the terminal's slave");
            }

            Libc.KernelTermios termios;
            if (Libc.ioctl(master, Libc.TCGETS, &termios) != 0)
            {
                throw Failure("reading the terminal's settings");
            }

            termios.LocalFlags &= ~(Libc.ECHO | Libc.ECHOE | Libc.ECHOK | Libc.ECHONL);
            if (Libc.ioctl(master, Libc.TCSETS, &termios) != 0)
            {
                throw Failure("turning the terminal's echo off");
            }

            SetSize(master, size);
            control = Libc.fcntl(master, Libc.F_DUPFD_CLOEXEC, 3);
            if (control < 0)
            {
                throw Failure("duplicating the terminal's master");
            }

            var slave = Encoding.ASCII.GetBytes("/dev/pts/" + number.ToString(CultureInfo.InvariantCulture) + "\0");
            return new PseudoTerminal(master, control, slave, termios.ControlCharacters[Libc.VEOF]);
        }
        catch
        {
            Pipes.Close(master);
            Pipes.Close(control);
            throw;
        }
    }

    /// <summary>Starts relaying the terminal's output; returns the stream the host reads it from.</summary>
    public Stream StartOutput()
    {
        var (hostEnd, relayEnd) = Pipes.CreateSocketPair();
        int master;
        lock (_lock)
        {
            master = _master;
            _master = -1; // the relay owns it now
        }

        var thread = new Thread(() => Relay(master, relayEnd)) { IsBackground = true, Name = "Tether terminal output" };
        thread.Start();
        return new NetworkStream(new Socket(new SafeSocketHandle(hostEnd, ownsHandle: true)), ownsSocket: true);
    }

    /// <summary>A stream whose writes are the terminal's input; disposing it types end-of-file (twice: once to end a partial line).</summary>
    public Stream OpenInput()
    {
        int fd;
        lock (_lock)
        {
            fd = _control < 0 ? -1 : Libc.fcntl(_control, Libc.F_DUPFD_CLOEXEC, 3);
        }

        return fd < 0 ? throw Failure("duplicating the terminal's master for input") : new InputStream(fd, _endOfFile);
    }

    /// <summary>Sets the window size; the kernel sends SIGWINCH to the terminal's foreground process group.</summary>
    public void Resize(TerminalSize size)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_control < 0, this);
            SetSize(_control, size);
        }
    }

    /// <summary>Closes the host's control descriptor (and the master, when output was never started).</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            Pipes.Close(_control);
            Pipes.Close(_master);
            _control = -1;
            _master = -1;
        }
    }

    private static void SetSize(int fd, TerminalSize size)
    {
        var winSize = new Libc.WinSize { Columns = (ushort)size.Columns, Rows = (ushort)size.Rows };
        if (Libc.ioctl(fd, Libc.TIOCSWINSZ, &winSize) != 0)
        {
            throw Failure("setting the terminal's size");
        }
    }

    private static void Relay(int master, int relayEnd)
    {
        var buffer = new byte[16 * 1024];
        fixed (byte* p = buffer)
        {
            while (true)
            {
                var read = Libc.read(master, p, buffer.Length);
                if (read < 0 && Marshal.GetLastPInvokeError() == Libc.EINTR)
                {
                    continue;
                }

                if (read <= 0)
                {
                    break; // EIO: every holder of the slave closed it
                }

                if (!WriteAll(relayEnd, p, read))
                {
                    break; // the host stopped reading (the run was torn down)
                }
            }
        }

        Libc.close(master);
        Libc.close(relayEnd);
    }

    private static bool WriteAll(int fd, byte* data, nint count)
    {
        while (count > 0)
        {
            var written = Libc.write(fd, data, count);
            if (written < 0)
            {
                if (Marshal.GetLastPInvokeError() == Libc.EINTR)
                {
                    continue;
                }

                return false;
            }

            data += written;
            count -= written;
        }

        return true;
    }

    private static ProcessIOException Failure(string what) =>
        new($"Could not set up the run's pseudo-terminal: {what} failed: {Libc.ErrorText(Marshal.GetLastPInvokeError())}.");

    /// <summary>The terminal's input side; writes block while the terminal's input queue is full, as on a real terminal.</summary>
    private sealed class InputStream(int fd, byte endOfFile) : Stream
    {
        private int _fd = fd;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            ObjectDisposedException.ThrowIf(_fd < 0, this);
            fixed (byte* p = buffer)
            {
                if (!WriteAll(_fd, p, buffer.Length))
                {
                    throw new IOException($"Writing to the terminal failed: {Libc.ErrorText(Marshal.GetLastPInvokeError())}.");
                }
            }
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            var fd = Interlocked.Exchange(ref _fd, -1);
            if (fd >= 0)
            {
                // Typed only when it cannot block: a child that never reads must not hold up the host's disposal.
                Span<byte> endOfInput = [endOfFile, endOfFile];
                var poll = new Libc.PollDescriptor { Fd = fd, Events = PollOut };
                if (Libc.poll(&poll, 1, 0) == 1 && (poll.ReturnedEvents & PollOut) != 0)
                {
                    fixed (byte* p = endOfInput)
                    {
                        Libc.write(fd, p, endOfInput.Length);
                    }
                }

                Libc.close(fd);
            }

            base.Dispose(disposing);
        }
    }
}
