using System.Buffers;
using System.Globalization;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Tether.IO;

namespace Tether.Supervisor.Logs;

/// <summary>
/// Writes one service's output to <c>.tether/logs/NAME.log</c>, whole lines only, rotating by size: before a line
/// would take the file past <see cref="LogPolicy.MaxSize"/>, <c>NAME.log</c> becomes <c>NAME.log.1</c> (the older ones
/// move up, the one past <see cref="LogPolicy.Keep"/> is deleted) and a new file starts. Lines of a service with more
/// than one instance start with <c>[INDEX] </c>. Partial lines are held per source (instance and stream) until their
/// line break arrives, so interleaved streams never cut each other's lines.
/// </summary>
/// <remarks>
/// One consumer calls it (the service's log task); not thread-safe. A write that fails — a full disk, a quota, an I/O
/// error — drops the lines it held and counts them in <see cref="DroppedLines"/>; the next write tries again, so the
/// log resumes by itself once there is room. Files are created owner-only and never written through a symbolic link
/// (the durable file's open).
/// </remarks>
internal sealed class LogFileWriter : IDisposable
{
    private const int BufferSize = 256 * 1024;

    /// <summary>A partial line longer than this is written out as a line of its own: a service that never writes a line break cannot grow the supervisor.</summary>
    internal const int MaxPartialLine = 64 * 1024;

    private readonly string _directory;
    private readonly byte[] _buffer = new byte[BufferSize];
    private readonly Dictionary<LogSource, ArrayBufferWriter<byte>> _partials = [];
    private readonly Dictionary<int, byte[]> _prefixes = [];
    private readonly HashSet<LogSource> _cut = [];
    private SafeFileHandle? _handle;
    private long _length;
    private int _buffered;
    private int _bufferedLines;
    private long _droppedLines;
    private long _writtenLines;
    private long _writtenBytes;

    /// <summary>Creates a writer for <c><paramref name="directory"/>/<paramref name="service"/>.log</c>; nothing is opened until the first line.</summary>
    public LogFileWriter(string directory, string service, LogPolicy policy)
    {
        _directory = directory;
        Path = System.IO.Path.Combine(directory, service + ".log");
        Policy = policy;
    }

    /// <summary>The current log file.</summary>
    public string Path { get; }

    /// <summary>The size and count limits; a reload may change them (they apply from the next line).</summary>
    public LogPolicy Policy { get; set; }

    /// <summary>Lines lost because writing failed.</summary>
    public long DroppedLines => Interlocked.Read(ref _droppedLines);

    /// <summary>Lines written to the file.</summary>
    public long WrittenLines => Interlocked.Read(ref _writtenLines);

    /// <summary>Bytes written to the file (and the files rotated away) since the supervisor started.</summary>
    public long WrittenBytes => Interlocked.Read(ref _writtenBytes);

    /// <summary>Why the last write failed, or null when it has not.</summary>
    public string? LastError { get; private set; }

    /// <summary>Takes a chunk: its whole lines are buffered (written when the buffer fills or at <see cref="Flush"/>), a trailing partial line is held.</summary>
    public void Write(LogChunk chunk)
    {
        if (chunk.IsGap)
        {
            // The dropped bytes ended the held partial line (their line breaks were counted when they were dropped)
            // and began the line the next bytes finish: both halves are dropped with them, never glued together.
            if (_partials.TryGetValue(chunk.Source, out var held))
            {
                held.ResetWrittenCount();
            }

            _cut.Add(chunk.Source);
            return;
        }

        if (chunk.IsEnd)
        {
            _cut.Remove(chunk.Source);
            if (_partials.Remove(chunk.Source, out var rest) && rest.WrittenCount > 0)
            {
                rest.Write("\n"u8);
                Emit(rest.WrittenSpan, chunk.Source);
            }

            return;
        }

        var span = chunk.Bytes;
        if (_cut.Contains(chunk.Source))
        {
            var end = span.IndexOf((byte)'\n');
            if (end < 0)
            {
                return; // still inside the line the gap cut
            }

            _cut.Remove(chunk.Source);
            Interlocked.Increment(ref _droppedLines);
            span = span[(end + 1)..];
        }

        _partials.TryGetValue(chunk.Source, out var partial);
        var bulk = !chunk.Source.Prefixed;
        while (!span.IsEmpty)
        {
            if (bulk && (partial is null || partial.WrittenCount == 0))
            {
                // The fast path, tried once per chunk: its whole lines go into the buffer in one copy when they fit
                // before the rotation point.
                bulk = false;
                var last = span.LastIndexOf((byte)'\n');
                if (last < 0)
                {
                    break;
                }

                var block = span[..(last + 1)];
                if (_length + _buffered + block.Length <= Policy.MaxSize)
                {
                    if (block.Length > _buffer.Length - _buffered)
                    {
                        Flush();
                    }

                    if (block.Length <= _buffer.Length - _buffered)
                    {
                        block.CopyTo(_buffer.AsSpan(_buffered));
                        _buffered += block.Length;
                        _bufferedLines += block.Count((byte)'\n');
                        span = span[(last + 1)..];
                        break;
                    }
                }
            }

            var newline = span.IndexOf((byte)'\n');
            if (newline < 0)
            {
                break;
            }

            var line = span[..(newline + 1)];
            if (partial is { WrittenCount: > 0 })
            {
                partial.Write(line);
                Emit(partial.WrittenSpan, chunk.Source);
                partial.ResetWrittenCount();
            }
            else
            {
                Emit(line, chunk.Source);
            }

            span = span[(newline + 1)..];
        }

        if (!span.IsEmpty)
        {
            if (partial is null)
            {
                partial = new ArrayBufferWriter<byte>(Math.Min(span.Length * 2, MaxPartialLine));
                _partials[chunk.Source] = partial;
            }

            partial.Write(span);
            if (partial.WrittenCount >= MaxPartialLine)
            {
                partial.Write("\n"u8);
                Emit(partial.WrittenSpan, chunk.Source);
                partial.ResetWrittenCount();
            }
        }
    }

    /// <summary>Writes the buffered lines to the file; on failure they are dropped and counted.</summary>
    public void Flush()
    {
        if (_buffered == 0)
        {
            return;
        }

        try
        {
            EnsureOpen();
            DurableFile.WriteAll(_handle!, _buffer.AsSpan(0, _buffered), _length, Path);
            _length += _buffered;
            Interlocked.Add(ref _writtenLines, _bufferedLines);
            Interlocked.Add(ref _writtenBytes, _buffered);
            LastError = null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Interlocked.Add(ref _droppedLines, _bufferedLines);
            LastError = ex.Message;
            Resynchronise();
        }
        finally
        {
            _buffered = 0;
            _bufferedLines = 0;
        }
    }

    /// <summary>Closes the file (partial lines still held are written first).</summary>
    public void Dispose()
    {
        foreach (var (source, rest) in _partials)
        {
            if (rest.WrittenCount > 0)
            {
                rest.Write("\n"u8);
                Emit(rest.WrittenSpan, source);
            }
        }

        _partials.Clear();
        Flush();
        _handle?.Dispose();
        _handle = null;
    }

    private void Emit(ReadOnlySpan<byte> line, LogSource source)
    {
        var prefix = source.Prefixed ? Prefix(source.Index) : [];
        var size = prefix.Length + line.Length;
        if (_length + _buffered + size > Policy.MaxSize && _length + _buffered > 0)
        {
            Flush();
            Rotate();
        }

        if (size > _buffer.Length - _buffered)
        {
            Flush();
        }

        if (size > _buffer.Length)
        {
            // A line longer than the buffer (up to MaxPartialLine plus a prefix cannot be, but be safe): write it alone.
            var whole = new byte[size];
            prefix.CopyTo(whole);
            line.CopyTo(whole.AsSpan(prefix.Length));
            whole.CopyTo(_buffer.AsSpan());
            _buffered = size;
            _bufferedLines = 1;
            Flush();
            return;
        }

        prefix.CopyTo(_buffer.AsSpan(_buffered));
        line.CopyTo(_buffer.AsSpan(_buffered + prefix.Length));
        _buffered += size;
        _bufferedLines++;
    }

    private byte[] Prefix(int index)
    {
        if (!_prefixes.TryGetValue(index, out var prefix))
        {
            prefix = Encoding.ASCII.GetBytes("[" + index.ToString(CultureInfo.InvariantCulture) + "] ");
            _prefixes[index] = prefix;
        }

        return prefix;
    }

    private void EnsureOpen()
    {
        if (_handle is not null)
        {
            return;
        }

        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The supervisor's log files are written with Linux file modes; it runs on Linux only for now.");
        }

        Directory.CreateDirectory(_directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var handle = DurableFile.OpenOrCreate(Path);
        DurableFile.TightenToOwnerOnly(handle, Path);
        _length = DurableFile.Stat(handle, Path).Size;
        _handle = handle;
    }

    /// <summary>After a failed write the file may hold part of it: continue at its real end.</summary>
    private void Resynchronise()
    {
        try
        {
            if (_handle is not null)
            {
                _length = DurableFile.Stat(_handle, Path).Size;
            }
        }
        catch (IOException)
        {
            _handle?.Dispose();
            _handle = null;
        }
    }

    private void Rotate()
    {
        _handle?.Dispose();
        _handle = null;
        _length = 0;
        var keep = Policy.Keep;
        try
        {
            if (keep <= 0)
            {
                DurableFile.Delete(Path);
                return;
            }

            DurableFile.Delete(Rotated(keep));
            for (var k = keep - 1; k >= 1; k--)
            {
                if (DurableFile.TryStat(Rotated(k)) is not null)
                {
                    DurableFile.Rename(Rotated(k), Rotated(k + 1));
                }
            }

            if (DurableFile.TryStat(Path) is not null)
            {
                DurableFile.Rename(Path, Rotated(1));
            }
        }
        catch (IOException ex)
        {
            LastError = ex.Message;
        }
    }

    private string Rotated(int k) => Path + "." + k.ToString(CultureInfo.InvariantCulture);
}
