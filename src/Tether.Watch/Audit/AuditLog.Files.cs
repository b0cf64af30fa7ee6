using System.Globalization;
using System.Runtime.Versioning;
using System.Text;

namespace Tether.Watch;

// Opening, repairing and rotating the file.
public sealed partial class AuditLog
{
    /// <summary>
    /// Opens the file for reading and writing, or creates it owner-only; never through a symbolic link, and only a
    /// regular file; then takes the writer lock and narrows a wider mode to 0600.
    /// </summary>
    /// <remarks>
    /// A missing file is created with <see cref="FileMode.CreateNew"/> (<c>O_CREAT|O_EXCL</c>), which fails on any
    /// existing name, a planted symbolic link included, instead of following it. An existing file is refused when it
    /// is a link, checked again after it is opened. What remains is a race with someone who can replace the file in
    /// its directory between the two checks — someone who could delete the log anyway; keep the log in a directory
    /// only its owner can write.
    /// </remarks>
    [SupportedOSPlatform("linux")]
    private static FileStream OpenFile(string path, string fullPath)
    {
        for (var attempt = 1; ; attempt++)
        {
            RefuseLinkOrDirectory(path, fullPath);
            var exists = File.Exists(fullPath);
            FileStream stream;
            try
            {
                stream = new FileStream(fullPath, new FileStreamOptions
                {
                    Mode = exists ? FileMode.Open : FileMode.CreateNew,
                    Access = FileAccess.ReadWrite,
                    Share = FileShare.Read, // readers (verify) may look; a second writer is kept out by the lock below
                    BufferSize = 0, // every row goes straight to the file: a failed write leaves nothing behind in a buffer
                    UnixCreateMode = exists ? null : OwnerOnly, // allowed only with a mode that creates
                });
            }
            catch (IOException) when (attempt < 3 && exists != Present(fullPath))
            {
                continue; // created or deleted under us: look again (a link planted meanwhile is refused above)
            }

            try
            {
                RefuseLinkOrDirectory(path, fullPath);
                if (!stream.CanSeek)
                {
                    throw new AuditLogException(path, $"The audit log '{path}' is not a regular file: give the path of a file.");
                }

                try
                {
                    stream.Lock(0, 0); // fcntl F_WRLCK over the whole file, however long it grows
                }
                catch (IOException ex)
                {
                    throw new AuditLogException(path, $"The audit log '{path}' is being written by another process (it holds the file's lock): stop that watcher, or give this one another file.", inner: ex);
                }

                if ((File.GetUnixFileMode(stream.SafeFileHandle) & ~OwnerOnly) != 0)
                {
                    File.SetUnixFileMode(stream.SafeFileHandle, OwnerOnly);
                }

                return stream;
            }
            catch
            {
                stream.Dispose();
                throw;
            }
        }
    }

    private static void RefuseLinkOrDirectory(string path, string fullPath)
    {
        var info = new FileInfo(fullPath);
        if (info.LinkTarget is { } target)
        {
            throw new AuditLogException(path, $"The audit log '{path}' is a symbolic link (to '{target}'); the audit log is never written through a link. Remove the link or give the path of a real file.");
        }

        if (Directory.Exists(fullPath))
        {
            throw new AuditLogException(path, $"The audit log '{path}' is a directory: give the path of a file in it, such as '{System.IO.Path.Combine(path, "audit.log")}'.");
        }
    }

    /// <summary>
    /// Finds where the chain of an opened file ends, repairing a torn final row or a torn header; writes the header
    /// of a new or empty file. Returns the file's length, its rows, its last row and the repair made, if any.
    /// </summary>
    private static (long Length, long Rows, AuditAnchor Last, string? Repair) Prepare(string path, string fullPath, FileStream stream)
    {
        if (stream.Length == 0)
        {
            var start = ContinuedAnchor(path, fullPath);
            return (WriteHeader(stream, start), 0, start, null);
        }

        stream.Position = 0;
        var scan = AuditFileScanner.Scan(stream, path, isNewest: true, previous: null);
        if (scan.Problem is null)
        {
            return (stream.Length, scan.Rows, scan.Last, null);
        }

        if (scan.Problem.Kind == AuditProblemKind.BadHeader)
        {
            throw new AuditLogException(path,
                $"The file '{path}' is not an audit log this version can append to: {scan.Problem}. It is left as it is: give another path, or move the file aside.",
                scan.Problem);
        }

        if (scan.Problem.Kind != AuditProblemKind.Torn)
        {
            throw new AuditLogException(path,
                $"The audit log '{path}' is damaged: {scan.Problem}. It is left as it is, as evidence: move it (and its generations '{path}.N') aside, then open the log again to start a new one.",
                scan.Problem);
        }

        var c = CultureInfo.InvariantCulture;
        if (!scan.HasHeader)
        {
            stream.SetLength(0);
            var start = ContinuedAnchor(path, fullPath);
            return (WriteHeader(stream, start), 0, start, string.Create(c, $"repaired torn header ({scan.TornBytes} bytes)"));
        }

        stream.SetLength(scan.GoodLength);
        stream.Flush(flushToDisk: true);
        return (scan.GoodLength, scan.Rows, scan.Last, string.Create(c, $"repaired torn final row ({scan.TornBytes} bytes)"));
    }

    /// <summary>
    /// Where a new file's chain starts: after the last row of <c>PATH.1</c> when that exists (the live file went
    /// missing mid-rotation, or was moved away), else at a new log's start.
    /// </summary>
    private static AuditAnchor ContinuedAnchor(string path, string fullPath)
    {
        var previousPath = AuditVerifier.Generation(fullPath, 1);
        var shown = AuditVerifier.Generation(path, 1);
        var info = new FileInfo(previousPath);
        if (info.LinkTarget is not null)
        {
            throw new AuditLogException(path, $"The audit log's previous generation '{shown}' is a symbolic link: remove it, or move the log's generations aside to start a new log.");
        }

        if (!info.Exists)
        {
            return AuditAnchor.Start;
        }

        AuditFileScan scan;
        using (var previous = new FileStream(previousPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1))
        {
            scan = AuditFileScanner.Scan(previous, shown, isNewest: false, previous: null);
        }

        if (scan.Problem is { } problem)
        {
            throw new AuditLogException(path,
                $"The audit log '{path}' is new or empty, and its previous generation '{shown}', which it would continue, is damaged: {problem}. Move the generations aside to start a new log.",
                problem);
        }

        return scan.Last;
    }

    /// <summary>Writes the header (linking to <paramref name="start"/> unless it is a new log's start) and returns the file's length.</summary>
    private static long WriteHeader(FileStream stream, AuditAnchor start)
    {
        var header = Encoding.UTF8.GetBytes(AuditFormat.Header(start.Seq == 0 ? null : start.Seq, start.Chain) + "\n");
        stream.Position = 0;
        stream.Write(header);
        stream.Flush(flushToDisk: true);
        return header.Length;
    }

    /// <summary>
    /// Makes the live file generation 1 (shifting the others up, deleting the oldest) and starts a new live file whose
    /// header links to the last row. Called with the gate held, before a row that would not fit.
    /// </summary>
    private void Rotate()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The audit log is implemented for Linux only."); // unreachable: Open refused
        }

        var liveMoved = false;
        try
        {
            var oldest = AuditVerifier.Generation(_fullPath, _options.Generations);
            if (Present(oldest))
            {
                File.Delete(oldest);
            }

            for (var i = _options.Generations - 1; i >= 1; i--)
            {
                var from = AuditVerifier.Generation(_fullPath, i);
                if (Present(from))
                {
                    File.Move(from, AuditVerifier.Generation(_fullPath, i + 1));
                }
            }

            File.Move(_fullPath, AuditVerifier.Generation(_fullPath, 1)); // rename(2): our open handle follows the file
            liveMoved = true;
            var stream = OpenFile(Path, _fullPath);
            try
            {
                _length = WriteHeader(stream, _last);
            }
            catch
            {
                stream.Dispose();
                throw;
            }

            _stream.Dispose();
            _stream = stream;
            _rowsInFile = 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or AuditLogException)
        {
            if (!liveMoved)
            {
                throw new AuditLogException(Path, $"The audit log '{Path}' could not be rotated: {ex.Message} No row was written; the log stays usable.", inner: ex);
            }

            _broken = $"The audit log '{Path}' could not be rotated ({ex.Message}): it now ends in '{Path}.1'; no more rows are written. Open it again to continue the chain in a new file.";
            throw new AuditLogException(Path, _broken, inner: ex);
        }
    }

    private static bool Present(string path) => File.Exists(path) || new FileInfo(path).LinkTarget is not null;
}
