using System.Text;
using Tether.IO;
using Tether.Interop;

namespace Tether.Sessions;

/// <summary>
/// Appends to one session file as its commands are recorded: each <see cref="Append"/> and <see cref="Finish"/> writes
/// one line at the end of the file and returns only once it is on stable storage (fdatasync), so a crash loses at most
/// the line being written — which the next load reports as a torn line and the next append cuts off. Obtained from
/// <see cref="SessionStore.Create"/> or <see cref="SessionStore.Append(string)"/>. Thread-safe.
/// </summary>
/// <remarks>
/// The file may be rewritten while it is being recorded (renamed, tagged, edited: an atomic replace). Each append locks
/// the file that is at <see cref="Path"/> at that moment, so lines are never written into a replaced file. Disposing
/// without <see cref="Finish"/> leaves the session unfinished (no footer), as a shell that died would.
/// </remarks>
public sealed class SessionWriter : IDisposable
{
    private readonly Lock _gate = new();
    private bool _finished;
    private bool _disposed;

    internal SessionWriter(string path, string name, int commandCount)
    {
        Path = path;
        Name = name;
        CommandCount = commandCount;
    }

    /// <summary>The session file.</summary>
    public string Path { get; }

    /// <summary>The session's name when the writer was opened.</summary>
    public string Name { get; }

    /// <summary>The commands in the file when it was opened plus those appended since.</summary>
    public int CommandCount { get; private set; }

    /// <summary>Whether <see cref="Finish"/> wrote the footer.</summary>
    public bool IsFinished
    {
        get
        {
            lock (_gate)
            {
                return _finished;
            }
        }
    }

    /// <summary>Appends a command line, durably.</summary>
    /// <exception cref="InvalidOperationException">The session is finished.</exception>
    /// <exception cref="ObjectDisposedException">The writer is disposed.</exception>
    /// <exception cref="ArgumentException">The command cannot be written (see <see cref="SessionFormat.WriteCommand"/>).</exception>
    /// <exception cref="IOException">The file could not be written (the message says why: a full disk, the file was
    /// deleted, it was replaced by a symbolic link). The file is cut back to where it ended; should even that fail, the
    /// partial line is a torn tail that the next append cuts off.</exception>
    public void Append(RecordedCommand command)
    {
        var line = SessionFormat.WriteCommand(command);
        lock (_gate)
        {
            Write(line);
            CommandCount++;
        }
    }

    /// <summary>Appends the footer, durably; nothing can be appended after it.</summary>
    /// <exception cref="InvalidOperationException">The session is already finished.</exception>
    /// <exception cref="ObjectDisposedException">The writer is disposed.</exception>
    /// <exception cref="IOException">The file could not be written; the session stays unfinished.</exception>
    public void Finish(SessionFooter footer)
    {
        var line = SessionFormat.WriteFooter(footer);
        lock (_gate)
        {
            Write(line);
            _finished = true;
        }
    }

    /// <summary>Ends the writer. Holds no file between appends, so there is nothing to flush: every line written is
    /// already on disk.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
        }
    }

    private void Write(string line)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_finished)
        {
            throw new InvalidOperationException($"The session '{Name}' is finished; nothing can be appended after its footer.");
        }

        var bytes = Encoding.UTF8.GetBytes(line + "\n");
        LockedSessionFile file;
        try
        {
            file = LockedSessionFile.Open(Path);
        }
        catch (PosixIOException e) when (e.Errno == Libc.ENOENT)
        {
            throw new IOException($"The session file '{Path}' was deleted while '{Name}' was being recorded; the command was not saved.", e);
        }

        using (file)
        {
            SessionFiles.AppendLine(file.Handle, Path, bytes);
        }
    }
}
