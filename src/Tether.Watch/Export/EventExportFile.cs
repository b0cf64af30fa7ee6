using System.Text;
using Microsoft.Win32.SafeHandles;
using Tether.Interop;
using Tether.IO;

namespace Tether.Watch;

/// <summary>
/// The event export file: one tab-separated line per <see cref="WatchEvent"/> (see <see cref="WatchEventFormat"/> for
/// the fields), for tools that tail or grep what the watcher saw. Owner-only (0600), never written through a symlink,
/// rotated by size; a torn last line left by a crash is moved to a <c>torn-*.bin</c> side file when the file is opened
/// (<see cref="TornTailsMoved"/>). Thread-safe.
/// </summary>
/// <remarks>
/// <para><b>Format.</b> The file starts with the header line <c>#tether-events\tv1</c>; every other line is
/// <c>UTC time \t engine ms \t kind \t key=value \t …</c>, e.g.
/// <c>2030-01-01T00:00:05.000Z⇥5000⇥stall_detected⇥pid=1000⇥silent_ms=5000⇥last_status=ok⇥origin=kernel_attested</c>
/// (⇥ is a tab).
/// Values never contain a raw tab, newline or other control character: <c>\\</c>, <c>\t</c>, <c>\n</c>, <c>\r</c>,
/// <c>\xNN</c> and <c>\uNNNN</c> stand for them. The first <c>=</c> of a field separates key from value.</para>
/// <para><b>Buffering.</b> This is a feed, not the audit log: lines are buffered and nothing is fsynced. The buffer is
/// written out after every event other than <c>beat_accepted</c> (so a stall shows up at once in <c>tail -f</c>),
/// after <see cref="FlushEveryLines"/> buffered beats, at least every <see cref="FlushInterval"/> (a timer on the
/// <see cref="TimeProvider"/>), on <see cref="Flush"/> and on dispose. A crash can lose the lines still buffered (and tear
/// the last one written); every line before them is in the file.</para>
/// <para><b>Rotation.</b> When a line would take the file past <c>maxBytes</c>, the file is renamed to
/// <c>path.1</c> (an older <c>path.1</c> to <c>path.2</c>, and so on), the oldest beyond <c>generations</c> is
/// deleted, and a new file with a header is started. Renames and deletes act on names, never through links.</para>
/// </remarks>
public sealed class EventExportFile : IDisposable, IAsyncDisposable
{
    /// <summary>The first line of every export file.</summary>
    public const string Header = "#tether-events\tv1";

    /// <summary>How many buffered <c>beat_accepted</c> lines force a write.</summary>
    public const int FlushEveryLines = 256;

    /// <summary>The default size at which the file is rotated: 16 MiB.</summary>
    public const long DefaultMaxBytes = 16L * 1024 * 1024;

    /// <summary>The smallest <c>maxBytes</c> allowed.</summary>
    public const long MinMaxBytes = 4096;

    /// <summary>The most rotated files that can be kept.</summary>
    public const int MaxGenerations = 100;

    /// <summary>The longest buffered lines wait before they are written.</summary>
    public static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);

    private static readonly byte[] HeaderLine = Encoding.UTF8.GetBytes(Header + "\n");

    private readonly Lock _gate = new();
    private readonly string _path;
    private readonly long _maxBytes;
    private readonly int _generations;
    private readonly TimeProvider _time;
    private readonly StringBuilder _line = new(256);
    private readonly ITimer _flushTimer;
    private FileStream? _stream; // null after a failed rotation until a Write reopens it
    private long _size;
    private int _pendingLines;
    private bool _disposed;

    private EventExportFile(string path, long maxBytes, int generations, TimeProvider time)
    {
        _path = path;
        _maxBytes = maxBytes;
        _generations = generations;
        _time = time;
        _stream = Reopen();
        _flushTimer = time.CreateTimer(static state => ((EventExportFile)state!).FlushFromTimer(), this, FlushInterval, FlushInterval);
    }

    /// <summary>The file's path as given.</summary>
    public string Path => _path;

    /// <summary>How many torn last lines (left by a crash) were moved off the file to a <c>torn-*.bin</c> side file
    /// beside it since it was opened.</summary>
    public long TornTailsMoved { get; private set; }

    /// <summary>How many bytes those torn lines held.</summary>
    public long TornBytesMoved { get; private set; }

    /// <summary>How many times the file was rotated since it was opened.</summary>
    public long Rotations { get; private set; }

    /// <summary>
    /// Opens (or creates, owner-only) the export file at <paramref name="path"/> and appends to it; a new or empty file
    /// gets the <see cref="Header"/> line first. An existing file with wider permissions is narrowed to 0600.
    /// </summary>
    /// <param name="path">The file. Its directory must exist.</param>
    /// <param name="maxBytes">The size a line may not take the file past; then it is rotated [default: 16 MiB, at least 4 KiB].</param>
    /// <param name="generations">How many rotated files (<c>path.1</c> … <c>path.N</c>) to keep besides the live one [default: 3, 0 to 100].</param>
    /// <param name="time">Where the UTC time of each line comes from, and the clock of the flush timer [default: <see cref="TimeProvider.System"/>].</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxBytes"/> or <paramref name="generations"/> is out of range.</exception>
    /// <exception cref="IOException">The path is a symbolic link or not a regular file, or it could not be opened.</exception>
    /// <exception cref="PlatformNotSupportedException">Not on Linux.</exception>
    public static EventExportFile Open(string path, long maxBytes = DefaultMaxBytes, int generations = 3, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, MinMaxBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(generations);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(generations, MaxGenerations);
        return new EventExportFile(path, maxBytes, generations, time ?? TimeProvider.System);
    }

    /// <summary>Appends the event's line (see the remarks for when it reaches the file), rotating first if the line would take the file past its size limit.</summary>
    /// <exception cref="ObjectDisposedException">The file was disposed.</exception>
    /// <exception cref="IOException">Writing or rotating failed (a full disk, a link planted at the path); the line is lost.</exception>
    public void Write(WatchEvent watchEvent)
    {
        ArgumentNullException.ThrowIfNull(watchEvent);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _line.Clear();
            WatchEventFormat.AppendTsvLine(_line, watchEvent, _time.GetUtcNow());
            var bytes = Encoding.UTF8.GetBytes(_line.ToString());

            // A line larger than the limit on its own still goes into a fresh file rather than being lost.
            if (_stream is not null && _size + bytes.Length > _maxBytes && _size > HeaderLine.Length)
            {
                Rotate(_stream);
            }

            var stream = _stream ??= Reopen();
            stream.Write(bytes);
            _size += bytes.Length;
            _pendingLines++;
            if (watchEvent is not WatchEvent.BeatAccepted || _pendingLines >= FlushEveryLines)
            {
                FlushLocked();
            }
        }
    }

    /// <summary>Writes buffered lines to the file now (no fsync).</summary>
    /// <exception cref="ObjectDisposedException">The file was disposed.</exception>
    public void Flush()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            FlushLocked();
        }
    }

    /// <summary>Writes buffered lines and closes the file. Safe to call more than once.</summary>
    public void Dispose()
    {
        _flushTimer.Dispose();
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            try
            {
                FlushLocked();
            }
            finally
            {
                _stream?.Dispose();
                _stream = null;
            }
        }
    }

    /// <inheritdoc cref="Dispose"/>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private FileStream OpenStream(string path, out long size)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The event export file is implemented for Linux only: its symlink-safe, owner-only open is not implemented and tested elsewhere.");
        }

        // One open that refuses a link at the path (O_NOFOLLOW: no check-then-open race), creates owner-only, refuses
        // anything but a regular file, and never blocks on a FIFO planted at the path.
        SafeFileHandle handle;
        try
        {
            handle = DurableFile.OpenOrCreate(path);
        }
        catch (PosixIOException e) when (e.IsSymbolicLink)
        {
            throw new IOException($"The event export file '{path}' is a symbolic link; it is never written through a link. Remove the link or choose another path.", e);
        }
        catch (PosixIOException e) when (e.Errno is Libc.EINVAL or Libc.ENXIO)
        {
            throw new IOException($"The event export file '{path}' is not a regular file (a FIFO or a device); choose another path.", e);
        }
        catch (PosixIOException e)
        {
            throw new IOException($"The event export file '{path}' could not be opened: {Libc.ErrorText(e.Errno)}.", e);
        }

        try
        {
            DurableFile.TightenToOwnerOnly(handle, path);

            // A crash can tear the last line written; it is moved to a torn-*.bin side file so the next line does not
            // run on from it (the same repair as every append-only file Tether writes).
            size = DurableFile.Stat(handle, path).Size;
            var end = DurableFile.EndOfLastCompleteLine(handle, path, size);
            if (end < size)
            {
                var moved = DurableFile.MoveTornTail(handle, path, end, _time.GetUtcNow());
                TornTailsMoved++;
                TornBytesMoved += moved.Bytes;
                size = end;
            }

            var stream = new FileStream(handle, FileAccess.Write, bufferSize: 64 * 1024);
            stream.Seek(size, SeekOrigin.Begin);
            return stream;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private void WriteHeader(FileStream stream)
    {
        stream.Write(HeaderLine);
        _size += HeaderLine.Length;
    }

    private FileStream Reopen()
    {
        var stream = OpenStream(_path, out _size);
        if (_size == 0)
        {
            WriteHeader(stream);
            stream.Flush();
        }

        return stream;
    }

    private void Rotate(FileStream current)
    {
        _stream = null;
        _pendingLines = 0;
        try
        {
            current.Flush();
        }
        finally
        {
            current.Dispose();
        }

        if (_generations == 0)
        {
            File.Delete(_path);
        }
        else
        {
            File.Delete(Generation(_generations));
            for (var n = _generations - 1; n >= 1; n--)
            {
                var older = Generation(n);
                if (File.Exists(older) || new FileInfo(older).LinkTarget is not null)
                {
                    File.Move(older, Generation(n + 1), overwrite: true);
                }
            }

            File.Move(_path, Generation(1), overwrite: true);
        }

        Rotations++;
        _stream = Reopen();
    }

    private string Generation(int n) => _path + "." + n.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private void FlushLocked()
    {
        _stream?.Flush();
        _pendingLines = 0;
    }

    private void FlushFromTimer()
    {
        lock (_gate)
        {
            if (_disposed || _pendingLines == 0)
            {
                return;
            }

            try
            {
                FlushLocked();
            }
            catch (IOException)
            {
                // A timer has nobody to tell; the lines stay buffered and the next Write or Flush reports the failure.
            }
        }
    }
}
