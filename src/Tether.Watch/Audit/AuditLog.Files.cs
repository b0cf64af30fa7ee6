using System.Globalization;
using System.Runtime.Versioning;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Tether.Interop;
using Tether.IO;

namespace Tether.Watch;

// Opening, repairing and rotating the file.
public sealed partial class AuditLog
{
    /// <summary>
    /// Opens the file for reading and writing, or creates it owner-only (<see cref="DurableFile.OpenOrCreate"/>): one
    /// open that refuses a symbolic link at the path (O_NOFOLLOW, so no link can be planted between a check and the
    /// open) and anything but a regular file; then takes the writer lock and narrows a wider mode to 0600.
    /// </summary>
    [SupportedOSPlatform("linux")]
    private static FileStream OpenFile(string path, string fullPath)
    {
        SafeFileHandle handle;
        try
        {
            handle = DurableFile.OpenOrCreate(fullPath);
        }
        catch (PosixIOException ex) when (ex.IsSymbolicLink)
        {
            throw new AuditLogException(path, $"The audit log '{path}' is a symbolic link; the audit log is never written through a link. Remove the link or give the path of a real file.", inner: ex);
        }
        catch (PosixIOException ex) when (ex.Errno == Libc.EISDIR)
        {
            throw new AuditLogException(path, $"The audit log '{path}' is a directory: give the path of a file in it, such as '{System.IO.Path.Combine(path, "audit.log")}'.", inner: ex);
        }
        catch (PosixIOException ex) when (ex.Errno == Libc.EINVAL)
        {
            throw new AuditLogException(path, $"The audit log '{path}' is not a regular file: give the path of a file.", inner: ex);
        }

        // Every row goes straight to the file (no buffer): a failed write leaves nothing behind in a buffer.
        var stream = new FileStream(handle, FileAccess.ReadWrite, bufferSize: 0);
        try
        {
            try
            {
                stream.Lock(0, 0); // fcntl F_WRLCK over the whole file, however long it grows
            }
            catch (IOException ex)
            {
                throw new AuditLogException(path, $"The audit log '{path}' is being written by another process (it holds the file's lock): stop that watcher, or give this one another file.", inner: ex);
            }

            DurableFile.TightenToOwnerOnly(handle, fullPath);
            return stream;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Finds where the chain of an opened file ends, repairing a torn final row or a torn header; writes the header
    /// of a new or empty file. Returns the file's length, its rows, its last row and the repair made, if any.
    /// </summary>
    /// <remarks>Torn bytes are not dropped: they are moved to a <c>torn-*.bin</c> side file beside the log
    /// (<see cref="DurableFile.MoveTornTail"/>), named in the <c>torn_file</c> field of the boot row that records the repair.</remarks>
    private static (long Length, long Rows, AuditAnchor Last, string? Repair, TornTailMove? Moved) Prepare(string path, string fullPath, FileStream stream, TimeProvider time)
    {
        if (stream.Length == 0)
        {
            var start = ContinuedAnchor(path, fullPath);
            return (WriteHeader(stream, start), 0, start, null, null);
        }

        stream.Position = 0;
        var scan = AuditFileScanner.Scan(stream, path, isNewest: true, previous: null);
        if (scan.Problem is null)
        {
            return (stream.Length, scan.Rows, scan.Last, null, null);
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
            var movedHeader = DurableFile.MoveTornTail(stream.SafeFileHandle, fullPath, 0, time.GetUtcNow());
            var start = ContinuedAnchor(path, fullPath);
            return (WriteHeader(stream, start), 0, start, string.Create(c, $"repaired torn header ({scan.TornBytes} bytes)"), movedHeader);
        }

        var moved = DurableFile.MoveTornTail(stream.SafeFileHandle, fullPath, scan.GoodLength, time.GetUtcNow());
        stream.Position = scan.GoodLength;
        return (scan.GoodLength, scan.Rows, scan.Last, string.Create(c, $"repaired torn final row ({scan.TornBytes} bytes)"), moved);
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
