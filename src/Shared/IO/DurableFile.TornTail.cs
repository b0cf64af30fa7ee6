using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Win32.SafeHandles;
using Tether.Interop;

namespace Tether.IO;

/// <summary>
/// Torn-tail repair, the same for every append-only file Tether writes. A writer that dies mid-append leaves bytes after
/// the last complete record: a torn tail. Before the next append, the bytes are moved to a side file beside the file,
/// named <c>torn-&lt;file name without extension&gt;-&lt;offset&gt;-&lt;UTC time&gt;.bin</c> (created 0600, fsynced,
/// the directory fsynced), and only then cut off the file, so a failure at any step leaves the file as it was and the
/// torn bytes are never lost. The caller reports the move (<see cref="TornTailMove"/>: side file and byte count).
/// </summary>
internal static partial class DurableFile
{
    /// <summary>The start of every side file's name.</summary>
    public const string TornTailPrefix = "torn-";

    /// <summary>The extension of every side file.</summary>
    public const string TornTailExtension = ".bin";

    /// <summary>
    /// Moves the bytes of <paramref name="handle"/> from <paramref name="offset"/> to its end into a new side file in
    /// the file's directory, then cuts them off (ftruncate + fdatasync). <paramref name="beforeSideFileWrite"/> runs
    /// with the side file's path just before its bytes are written (a seam for fault injection); if it throws, or any
    /// step fails, the partial side file is removed and the file is left as it was.
    /// </summary>
    public static TornTailMove MoveTornTail(SafeFileHandle handle, string path, long offset, DateTimeOffset now, Action<string>? beforeSideFileWrite = null)
    {
        var size = Stat(handle, path).Size;
        var length = size - offset;
        if (length <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"'{path}' has no bytes after offset {offset}.");
        }

        var torn = new byte[length];
        if (ReadAt(handle, torn, offset, path) != length)
        {
            throw new PosixIOException(Libc.EIO, "reading the torn tail (the file shrank)", path);
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        string sideName = "";
        string sidePath = "";
        SafeFileHandle? side = null;
        for (var attempt = 0; side is null; attempt++)
        {
            sideName = TornTailSideFileName(Path.GetFileName(path), offset, now, attempt);
            sidePath = Path.Combine(directory, sideName);
            try
            {
                side = CreateNew(sidePath);
            }
            catch (PosixIOException e) when (e.Errno == Libc.EEXIST && attempt < 100)
            {
            }
        }

        try
        {
            beforeSideFileWrite?.Invoke(sidePath);
            WriteAll(side, torn, 0, sidePath);
            FullSync(side, sidePath);
        }
        catch
        {
            side.Dispose();
            TryDelete(sidePath);
            throw;
        }

        side.Dispose();
        SyncDirectory(directory);
        Truncate(handle, offset, path);
        DataSync(handle, path);
        return new TornTailMove(sideName, sidePath, offset, length);
    }

    /// <summary>
    /// Where the last complete line of a line-oriented file ends (just after its <c>\n</c>), reading backwards from
    /// <paramref name="length"/>; 0 when there is no newline at all. Bytes after it are a torn line.
    /// </summary>
    public static long EndOfLastCompleteLine(SafeFileHandle handle, string path, long length)
    {
        var buffer = new byte[64 * 1024];
        for (var end = length; end > 0;)
        {
            var start = Math.Max(0, end - buffer.Length);
            var count = (int)(end - start);
            ReadAt(handle, buffer.AsSpan(0, count), start, path);
            var newline = buffer.AsSpan(0, count).LastIndexOf((byte)'\n');
            if (newline >= 0)
            {
                return start + newline + 1;
            }

            end = start;
        }

        return 0;
    }

    /// <summary>The side file name for torn bytes cut from <paramref name="fileName"/> at <paramref name="offset"/>.</summary>
    public static string TornTailSideFileName(string fileName, long offset, DateTimeOffset now, int attempt) =>
        string.Create(CultureInfo.InvariantCulture, $"{TornTailPrefix}{Path.GetFileNameWithoutExtension(fileName)}-{offset}-{now.UtcDateTime:yyyyMMdd'T'HHmmss'.'ffffff'Z'}{(attempt == 0 ? "" : "-" + attempt)}{TornTailExtension}");

    /// <summary>The side files of torn tails cut off <paramref name="path"/>, by name, in order.</summary>
    public static List<string> TornTailSideFiles(string path)
    {
        var stem = Regex.Escape(Path.GetFileNameWithoutExtension(path));
        var pattern = new Regex($@"^{Regex.Escape(TornTailPrefix)}{stem}-\d+-\d{{8}}T\d{{6}}\.\d{{6}}Z(-\d+)?{Regex.Escape(TornTailExtension)}$", RegexOptions.CultureInvariant);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        return System.IO.Directory.EnumerateFiles(directory, TornTailPrefix + "*" + TornTailExtension)
            .Where(f => pattern.IsMatch(Path.GetFileName(f)))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Deletes a file if it can; for clean-up after a failure that is already being reported.</summary>
    public static void TryDelete(string path)
    {
        try
        {
            Delete(path);
        }
        catch (IOException)
        {
            // Best effort: the failure that led here is the one reported.
        }
    }
}

/// <summary>A torn tail moved off a file: where it went and how many bytes it held.</summary>
/// <param name="SideFileName">The side file's name (in the same directory as the file).</param>
/// <param name="SideFilePath">The side file's full path.</param>
/// <param name="Offset">Where the torn bytes started in the file (its length now).</param>
/// <param name="Bytes">How many bytes were moved.</param>
internal sealed record TornTailMove(string SideFileName, string SideFilePath, long Offset, long Bytes);
