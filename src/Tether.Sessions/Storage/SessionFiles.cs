using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Tether.Journaling.Internal;
using Tether.Journaling.Interop;

namespace Tether.Sessions;

/// <summary>
/// The file operations of the session store, built on the journal's primitives (<see cref="PosixFile"/>): every open
/// refuses a symbolic link (O_NOFOLLOW), every file is created owner-only (0600) with O_EXCL, appends are one
/// <c>pwrite</c> at the end followed by <c>fdatasync</c> and cut back on failure, a torn final line is cut off into a
/// sidecar file before the next append (as the journal does), and rewrites are temp file, fsync, rename, directory
/// fsync. Concurrent writers of one session file serialise on its <c>flock</c>.
/// </summary>
internal static unsafe class SessionFiles
{
    // Not in the journal's Libc table: the value on Linux x64 and arm64. A read-only open must not block on a FIFO
    // planted under a session's name; for a regular file the flag changes nothing.
    private const int O_NONBLOCK = 0x800;

    private const int ChunkBytes = 64 * 1024;

    /// <summary>The error for a session file that is a symbolic link.</summary>
    public static IOException SymbolicLink(string path) =>
        new($"The session file '{path}' is a symbolic link; Tether never reads or writes a session through a symbolic link.");

    /// <summary>Opens a session file for reading; refuses a symbolic link and anything but a regular file.</summary>
    public static SafeFileHandle OpenForReading(string path)
    {
        var bytes = NullTerminated(path);
        int fd;
        fixed (byte* p = bytes)
        {
            fd = Libc.open(p, Libc.O_RDONLY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC | O_NONBLOCK, 0);
        }

        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw errno == Libc.ELOOP ? SymbolicLink(path) : new PosixIOException(errno, "opening", path);
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (!PosixFile.Stat(handle, path).IsRegularFile)
        {
            handle.Dispose();
            throw new IOException($"The session file '{path}' is not a regular file.");
        }

        return handle;
    }

    /// <summary>Opens an existing session file for appending or rewriting; refuses a symbolic link.</summary>
    public static SafeFileHandle OpenForWriting(string path)
    {
        if (PosixFile.TryStat(path) is { IsSymbolicLink: true })
        {
            throw SymbolicLink(path);
        }

        try
        {
            return PosixFile.OpenExisting(path);
        }
        catch (PosixIOException e) when (e.Errno == Libc.ELOOP)
        {
            throw SymbolicLink(path);
        }
    }

    /// <summary>Reads and parses a whole session file.</summary>
    public static SessionLoad Load(string path)
    {
        using var handle = OpenForReading(path);
        using var stream = new FileStream(handle, FileAccess.Read, bufferSize: 0);
        return SessionFormat.Parse(stream, path);
    }

    /// <summary>The header of a session file (its first line only); null when it cannot be read.</summary>
    public static SessionHeader? TryReadHeader(string path)
    {
        try
        {
            using var handle = OpenForReading(path);
            var line = new List<byte>();
            var buffer = new byte[4096];
            long offset = 0;
            while (line.Count <= SessionFormat.MaxLineBytes)
            {
                var read = PosixFile.ReadAt(handle, buffer, offset, path);
                if (read == 0)
                {
                    break;
                }

                var newline = Array.IndexOf(buffer, (byte)'\n', 0, read);
                line.AddRange(buffer.AsSpan(0, newline < 0 ? read : newline));
                if (newline >= 0)
                {
                    break;
                }

                offset += read;
            }

            return SessionFormat.TryParseHeader(line.ToArray());
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>All of an open file's bytes.</summary>
    public static byte[] ReadAll(SafeFileHandle handle, string path)
    {
        var content = new MemoryStream();
        var buffer = new byte[ChunkBytes];
        long offset = 0;
        int read;
        while ((read = PosixFile.ReadAt(handle, buffer, offset, path)) > 0)
        {
            content.Write(buffer, 0, read);
            offset += read;
        }

        return content.ToArray();
    }

    /// <summary>
    /// Makes the file end at a line boundary before an append: a final line without a newline (left by a writer that
    /// was cut off) is copied into a sidecar file <c>{file}.torn-{offset}</c> (0600, synced) and cut off, so the next
    /// line does not run on from it. Returns the new length. The caller holds the file's lock.
    /// </summary>
    public static long CutTornTail(SafeFileHandle handle, string path, long length)
    {
        if (length == 0)
        {
            return 0;
        }

        var last = new byte[1];
        if (PosixFile.ReadAt(handle, last, length - 1, path) == 1 && last[0] == (byte)'\n')
        {
            return length;
        }

        // Find the last newline, reading backwards.
        var keep = 0L;
        var buffer = new byte[ChunkBytes];
        for (var end = length; end > 0;)
        {
            var start = Math.Max(0, end - buffer.Length);
            var count = (int)(end - start);
            PosixFile.ReadAt(handle, buffer.AsSpan(0, count), start, path);
            var newline = buffer.AsSpan(0, count).LastIndexOf((byte)'\n');
            if (newline >= 0)
            {
                keep = start + newline + 1;
                break;
            }

            end = start;
        }

        if (keep == 0)
        {
            throw new IOException($"The session file '{path}' has no complete line, not even its header; it cannot be appended to.");
        }

        var torn = new byte[length - keep];
        PosixFile.ReadAt(handle, torn, keep, path);
        var sidecar = $"{path}.torn-{keep.ToString(CultureInfo.InvariantCulture)}";
        if (PosixFile.TryStat(sidecar) is not null)
        {
            sidecar = $"{sidecar}-{Guid.NewGuid():N}";
        }

        using (var copy = PosixFile.CreateNew(sidecar))
        {
            PosixFile.WriteAll(copy, torn, 0, sidecar);
            PosixFile.FullSync(copy, sidecar);
        }

        PosixFile.SyncDirectory(Path.GetDirectoryName(path)!);
        PosixFile.Truncate(handle, keep, path);
        PosixFile.DataSync(handle, path);
        return keep;
    }

    /// <summary>
    /// Appends one line at the end of the file and waits until it is on stable storage (fdatasync). On failure the file
    /// is cut back to where it ended, so a half-written line does not stay behind. The caller holds the file's lock.
    /// </summary>
    public static void AppendLine(SafeFileHandle handle, string path, ReadOnlySpan<byte> line)
    {
        var length = CutTornTail(handle, path, PosixFile.Stat(handle, path).Size);
        try
        {
            PosixFile.WriteAll(handle, line, length, path);
            PosixFile.DataSync(handle, path);
        }
        catch
        {
            try
            {
                PosixFile.Truncate(handle, length, path);
            }
            catch (IOException)
            {
                // The partial line stays until the next append cuts it off as a torn tail (into a sidecar file).
            }

            throw;
        }
    }

    /// <summary>
    /// Replaces (or creates) <paramref name="path"/> with <paramref name="content"/> atomically: a unique hidden temp file
    /// in the same directory (O_EXCL, 0600), fsynced, renamed over the target, then the directory fsynced. A failure at
    /// any step leaves the old file as it was and removes the temp file; a crash leaves at most a <c>.tmp</c> file, which
    /// nothing reads.
    /// </summary>
    public static void ReplaceAtomically(string path, ReadOnlySpan<byte> content, Action<string>? beforeRename)
    {
        var directory = Path.GetDirectoryName(path)!;
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var handle = PosixFile.CreateNew(temp))
            {
                PosixFile.WriteAll(handle, content, 0, temp);
                PosixFile.FullSync(handle, temp);
            }

            beforeRename?.Invoke(temp);
            PosixFile.Rename(temp, path);
        }
        catch
        {
            try
            {
                PosixFile.Delete(temp);
            }
            catch (IOException)
            {
                // Left behind: a hidden .tmp file is never read as a session.
            }

            throw;
        }

        PosixFile.SyncDirectory(directory);
    }

    /// <summary>The sidecar files of torn tails cut off a session file.</summary>
    public static IEnumerable<string> TornSidecars(string path) =>
        System.IO.Directory.EnumerateFiles(Path.GetDirectoryName(path)!, Path.GetFileName(path) + ".torn-*");

    private static byte[] NullTerminated(string value)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(value) + 1];
        Encoding.UTF8.GetBytes(value, bytes);
        return bytes;
    }
}
