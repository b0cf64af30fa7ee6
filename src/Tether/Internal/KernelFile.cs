using Microsoft.Win32.SafeHandles;
using System.Runtime.InteropServices;
using System.Text;
using Tether.Interop;

namespace Tether.Internal;

/// <summary>
/// Reads and writes the small files of /proc and cgroupfs with plain syscalls into caller buffers: no streams, no
/// strings, no allocations on paths that run for every spawn.
/// </summary>
internal static unsafe class KernelFile
{
    private const int MaxPath = 1024;

    /// <summary>Reads up to <paramref name="buffer"/>.Length bytes; returns the count, or -1 when the file cannot be read.</summary>
    public static int Read(string path, Span<byte> buffer)
    {
        Span<byte> pathBytes = stackalloc byte[MaxPath];
        if (!Encode(path, pathBytes))
        {
            return -1;
        }

        fixed (byte* p = pathBytes)
        {
            var fd = Libc.open(p, OpenFlags.ReadOnly | OpenFlags.CloseOnExec, 0);
            if (fd < 0)
            {
                return -1;
            }

            try
            {
                return ReadAll(new SequentialReader(fd), buffer);
            }
            finally
            {
                Libc.close(fd);
            }
        }
    }

    /// <summary>Opens a file for reading (close on exec); the handle, or null.</summary>
    public static SafeFileHandle? OpenRead(string path)
    {
        Span<byte> pathBytes = stackalloc byte[MaxPath];
        if (!Encode(path, pathBytes))
        {
            return null;
        }

        fixed (byte* p = pathBytes)
        {
            var fd = Libc.open(p, OpenFlags.ReadOnly | OpenFlags.CloseOnExec, 0);
            return fd < 0 ? null : new SafeFileHandle(fd, ownsHandle: true);
        }
    }

    /// <summary>
    /// Reads an open kernel file from its start, as a new open would (a cgroup or proc file makes its content anew
    /// for a read at offset 0); returns the count, or -1.
    /// </summary>
    public static int ReadFromStart(SafeFileHandle file, Span<byte> buffer) => ReadAll(new PositionalReader(file), buffer);

    /// <summary>Fills <paramref name="buffer"/> from <paramref name="reader"/> until end-of-file or the buffer is full;
    /// the count, or -1. Generic over the reader so that neither way allocates.</summary>
    private static int ReadAll<TReader>(TReader reader, Span<byte> buffer)
        where TReader : struct, IChunkReader
    {
        var total = 0;
        fixed (byte* b = buffer)
        {
            while (total < buffer.Length)
            {
                var n = reader.Read(b + total, buffer.Length - total, total);
                if (n < 0)
                {
                    if (Marshal.GetLastPInvokeError() == Libc.EINTR)
                    {
                        continue;
                    }

                    return -1;
                }

                if (n == 0)
                {
                    break;
                }

                total += (int)n;
            }
        }

        return total;
    }

    private interface IChunkReader
    {
        /// <summary>Reads into <paramref name="into"/> the bytes that follow the first <paramref name="offset"/>.</summary>
        nint Read(byte* into, int count, int offset);
    }

    /// <summary>A descriptor opened just now, read where it stands.</summary>
    private readonly struct SequentialReader(int fd) : IChunkReader
    {
        public nint Read(byte* into, int count, int offset) => Libc.read(fd, into, count);
    }

    /// <summary>A descriptor kept open, read at the offsets given.</summary>
    private readonly struct PositionalReader(SafeFileHandle file) : IChunkReader
    {
        public nint Read(byte* into, int count, int offset) => Libc.pread(file, into, count, offset);
    }

    /// <summary>Writes <paramref name="content"/> in one write; returns 0, or the errno of the failure.</summary>
    public static int Write(string path, ReadOnlySpan<byte> content)
    {
        Span<byte> pathBytes = stackalloc byte[MaxPath];
        if (!Encode(path, pathBytes))
        {
            return Libc.ENAMETOOLONG;
        }

        fixed (byte* p = pathBytes)
        fixed (byte* c = content)
        {
            var fd = Libc.open(p, OpenFlags.WriteOnly | OpenFlags.CloseOnExec, 0);
            if (fd < 0)
            {
                return Marshal.GetLastPInvokeError();
            }

            try
            {
                var n = Libc.write(fd, c, content.Length);
                return n == content.Length ? 0 : n < 0 ? Marshal.GetLastPInvokeError() : Libc.EIO; // a short write
            }
            finally
            {
                Libc.close(fd);
            }
        }
    }

    /// <summary>Opens a directory (close on exec) for calls that take one by descriptor; returns the descriptor, or -1
    /// with the errno in <paramref name="errno"/>.</summary>
    public static int OpenDirectory(string path, out int errno)
    {
        Span<byte> pathBytes = stackalloc byte[MaxPath];
        if (!Encode(path, pathBytes))
        {
            errno = Libc.ENAMETOOLONG;
            return -1;
        }

        fixed (byte* p = pathBytes)
        {
            var fd = Libc.open(p, OpenFlags.ReadOnly | OpenFlags.Directory | OpenFlags.CloseOnExec, 0);
            errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
            return fd;
        }
    }

    /// <summary>Writes a decimal number (a pid, a flag); returns 0 or the errno.</summary>
    public static int WriteNumber(string path, long value)
    {
        Span<byte> digits = stackalloc byte[24];
        value.TryFormat(digits, out var length, provider: System.Globalization.CultureInfo.InvariantCulture);
        return Write(path, digits[..length]);
    }

    /// <summary>Finds <c>key value</c> at the start of a line and parses the value; null when absent.</summary>
    public static long? FindValue(ReadOnlySpan<byte> content, ReadOnlySpan<byte> keyWithSpace)
    {
        while (!content.IsEmpty)
        {
            var end = content.IndexOf((byte)'\n');
            var line = end < 0 ? content : content[..end];
            if (line.StartsWith(keyWithSpace) && long.TryParse(line[keyWithSpace.Length..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }

            content = end < 0 ? [] : content[(end + 1)..];
        }

        return null;
    }

    private static bool Encode(string path, Span<byte> destination)
    {
        if (Encoding.UTF8.GetMaxByteCount(path.Length) >= destination.Length && Encoding.UTF8.GetByteCount(path) >= destination.Length)
        {
            return false;
        }

        var length = Encoding.UTF8.GetBytes(path, destination);
        destination[length] = 0;
        return true;
    }
}
