using Microsoft.Win32.SafeHandles;
using Tether.IO;
using Tether.Interop;

namespace Tether.Sessions;

/// <summary>
/// The file operations of the session store, on Tether's one durable file (<see cref="DurableFile"/>): every open
/// refuses a symbolic link (O_NOFOLLOW), every file is created owner-only (0600) with O_EXCL, appends are one
/// <c>pwrite</c> at the end followed by <c>fdatasync</c> and cut back on failure, a torn final line is moved to a
/// <c>torn-*.bin</c> side file before the next append (<see cref="DurableFile.MoveTornTail"/>, as every Tether file
/// does), and rewrites are <see cref="DurableFile.ReplaceAtomically"/>. Concurrent writers of one session file
/// serialise on its <c>flock</c>.
/// </summary>
internal static class SessionFiles
{
    private const int ChunkBytes = 64 * 1024;

    /// <summary>The error for a session file that is a symbolic link.</summary>
    public static IOException SymbolicLink(string path) =>
        new($"The session file '{path}' is a symbolic link; Tether never reads or writes a session through a symbolic link.");

    /// <summary>Opens a session file for reading; refuses a symbolic link and anything but a regular file, and never
    /// blocks on a FIFO planted under a session's name.</summary>
    public static SafeFileHandle OpenForReading(string path) => Opening(path, DurableFile.OpenForReading);

    /// <summary>Opens an existing session file for appending or rewriting; refuses a symbolic link.</summary>
    public static SafeFileHandle OpenForWriting(string path) => Opening(path, DurableFile.OpenExisting);

    private static SafeFileHandle Opening(string path, Func<string, SafeFileHandle> open)
    {
        try
        {
            return open(path);
        }
        catch (PosixIOException e) when (e.IsSymbolicLink)
        {
            throw SymbolicLink(path);
        }
        catch (PosixIOException e) when (e.Errno == Libc.EINVAL)
        {
            throw new IOException($"The session file '{path}' is not a regular file.", e);
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
                var read = DurableFile.ReadAt(handle, buffer, offset, path);
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
        while ((read = DurableFile.ReadAt(handle, buffer, offset, path)) > 0)
        {
            content.Write(buffer, 0, read);
            offset += read;
        }

        return content.ToArray();
    }

    /// <summary>
    /// Makes the file end at a line boundary before an append: a final line without a newline (left by a writer that
    /// was cut off) is moved to a side file <c>torn-&lt;session&gt;-&lt;offset&gt;-&lt;time&gt;.bin</c> beside it
    /// (<see cref="DurableFile.MoveTornTail"/>: 0600, synced) and cut off, so the next line does not run on from it.
    /// Returns the new length. The caller holds the file's lock.
    /// </summary>
    public static long CutTornTail(SafeFileHandle handle, string path, long length)
    {
        if (length == 0)
        {
            return 0;
        }

        var last = new byte[1];
        if (DurableFile.ReadAt(handle, last, length - 1, path) == 1 && last[0] == (byte)'\n')
        {
            return length;
        }

        var keep = DurableFile.EndOfLastCompleteLine(handle, path, length);
        if (keep == 0)
        {
            throw new IOException($"The session file '{path}' has no complete line, not even its header; it cannot be appended to.");
        }

        // The clock only names the side file; nothing waits on it.
        DurableFile.MoveTornTail(handle, path, keep, TimeProvider.System.GetUtcNow());
        return keep;
    }

    /// <summary>
    /// Appends one line at the end of the file and waits until it is on stable storage (fdatasync). On failure the file
    /// is cut back to where it ended, so a half-written line does not stay behind. The caller holds the file's lock.
    /// </summary>
    public static void AppendLine(SafeFileHandle handle, string path, ReadOnlySpan<byte> line)
    {
        var length = CutTornTail(handle, path, DurableFile.Stat(handle, path).Size);
        try
        {
            DurableFile.WriteAll(handle, line, length, path);
            DurableFile.DataSync(handle, path);
        }
        catch
        {
            try
            {
                DurableFile.Truncate(handle, length, path);
            }
            catch (IOException)
            {
                // The partial line stays until the next append cuts it off as a torn tail (into a sidecar file).
            }

            throw;
        }
    }

    /// <summary>Replaces (or creates) a session file atomically (<see cref="DurableFile.ReplaceAtomically"/>).</summary>
    public static void ReplaceAtomically(string path, ReadOnlySpan<byte> content, Action<string>? beforeRename) =>
        DurableFile.ReplaceAtomically(path, content, beforeRename);

    /// <summary>The side files of torn tails cut off a session file: <c>torn-*.bin</c>, and the <c>{file}.torn-{offset}</c>
    /// files earlier releases wrote.</summary>
    public static IEnumerable<string> TornSidecars(string path) =>
        DurableFile.TornTailSideFiles(path)
            .Concat(System.IO.Directory.EnumerateFiles(Path.GetDirectoryName(path)!, Path.GetFileName(path) + ".torn-*"));
}
