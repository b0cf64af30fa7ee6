using System.Runtime.InteropServices;

namespace Tether.Benchmarks.Journal;

/// <summary>The glibc calls the reference appender and the fdatasync probe make (Linux x64/arm64).</summary>
internal static unsafe partial class Libc
{
    public const int O_WRONLY = 0x1;
    public const int O_CREAT = 0x40;
    public const int O_APPEND = 0x400;
    public const int O_CLOEXEC = 0x80000;
    public const int LOCK_EX = 2;
    public const int LOCK_UN = 8;
    private const int EINTR = 4;
    private const string LibraryName = "libc";

    [LibraryImport(LibraryName, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags, int mode);

    [LibraryImport(LibraryName, EntryPoint = "flock", SetLastError = true)]
    public static partial int Flock(int fd, int operation);

    [LibraryImport(LibraryName, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buffer, nint count);

    [LibraryImport(LibraryName, EntryPoint = "fsync", SetLastError = true)]
    public static partial int Fsync(int fd);

    [LibraryImport(LibraryName, EntryPoint = "fdatasync", SetLastError = true)]
    public static partial int Fdatasync(int fd);

    [LibraryImport(LibraryName, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    /// <summary>Writes all of <paramref name="bytes"/> (retrying short writes and EINTR) or throws.</summary>
    public static void WriteAll(int fd, ReadOnlySpan<byte> bytes)
    {
        fixed (byte* start = bytes)
        {
            var done = 0;
            while (done < bytes.Length)
            {
                var n = Write(fd, start + done, bytes.Length - done);
                if (n < 0)
                {
                    ThrowUnlessInterrupted("write");
                    continue;
                }

                done += (int)n;
            }
        }
    }

    /// <summary>Throws for the last error of <paramref name="call"/> unless it was EINTR.</summary>
    public static void ThrowUnlessInterrupted(string call)
    {
        var errno = Marshal.GetLastPInvokeError();
        if (errno != EINTR)
        {
            throw new IOException($"{call} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
        }
    }

    /// <summary>Calls <paramref name="call"/> until it does not fail with EINTR; throws on any other failure.</summary>
    public static int Check(Func<int> call, string name)
    {
        while (true)
        {
            var result = call();
            if (result >= 0)
            {
                return result;
            }

            ThrowUnlessInterrupted(name);
        }
    }
}
