using System.Globalization;
using Microsoft.Win32.SafeHandles;
using Tether.Checksums;
using Tether.IO;

namespace Tether.Lab;

/// <summary>
/// Writes a trace: the header, then every input the engine took with the one-byte digest of its decisions, in
/// checksummed chunks that each end with a checkpoint of the running decision hash. Files are owner-only and never
/// written through a symbolic link (the durable file); a recording that reaches <see cref="TraceWriterOptions.MaxFileBytes"/>
/// rotates (<c>FILE</c> → <c>FILE.1</c> → …, the oldest beyond the kept generations deleted), so it never takes more
/// than its size cap. Not thread-safe: the engine's one caller records.
/// </summary>
/// <remarks>
/// <para><b>No allocation per event.</b> Inputs are encoded into one reusable chunk buffer; a sealed chunk is one
/// <c>pwrite</c>. Nothing is fsynced until <see cref="Dispose"/>: a trace is a record for diagnosis, and the reader
/// recovers every chunk written before a crash.</para>
/// <para><b>Rotation</b> happens only between chunks, and each file starts its input codec afresh, so every file decodes
/// on its own; replaying a later file still needs the files before it (the engine's state carries over).</para>
/// </remarks>
/// <typeparam name="TInput">The engine's input type.</typeparam>
public sealed class TraceWriter<TInput> : IDisposable
{
    private readonly string? _path;
    private readonly TraceWriterOptions _options;
    private readonly ITraceCodec<TInput> _codec;
    private readonly TraceEncoder _chunk;
    private readonly TraceEncoder? _memory;
    private TraceHeader _header;
    private SafeFileHandle? _handle;
    private long _fileSize;
    private int _chunkEvents;
    private long _chunkFirstIndex;
    private TimeSpan _chunkFirstAt;
    private ulong _running = DecisionHash.Empty;
    private bool _disposed;

    private TraceWriter(string? path, TraceHeader header, ITraceCodec<TInput> codec, TraceWriterOptions options, TraceEncoder? memory)
    {
        _path = path;
        _header = header with { FileSequence = 0, FirstEventIndex = 0 };
        _codec = codec;
        _options = options;
        _memory = memory;
        _chunk = new TraceEncoder(options.ChunkBytes + 1024);
        StartFile();
    }

    /// <summary>Events recorded so far.</summary>
    public long Events { get; private set; }

    /// <summary>Bytes written so far, over every file of the recording.</summary>
    public long BytesWritten { get; private set; }

    /// <summary>How many times the recording rotated to a new file.</summary>
    public int Rotations { get; private set; }

    /// <summary>The running decision hash after the last event.</summary>
    public ulong RunningHash => _running;

    /// <summary>
    /// Starts a recording at <paramref name="path"/>. A file already there (an earlier recording) is rotated away first,
    /// like a full one, so starting never destroys more than the size cap allows.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="IOException">The file could not be created (its directory is missing or not writable, …); the message names it and says why.</exception>
    public static TraceWriter<TInput> Create(string path, TraceHeader header, ITraceCodec<TInput> codec, TraceWriterOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(codec);
        options ??= new TraceWriterOptions();
        options.Validate();
        try
        {
            return new TraceWriter<TInput>(path, header, codec, options, memory: null);
        }
        catch (PosixIOException ex)
        {
            throw new IOException($"The trace file '{path}' could not be created ({Tether.Interop.Libc.ErrorText(ex.Errno)}): check that its directory exists and is yours to write.", ex);
        }
    }

    /// <summary>Encodes a whole trace in memory (one file, no rotation): for prefixes, shrunk traces and golden files.</summary>
    public static byte[] Encode(TraceHeader header, ITraceCodec<TInput> codec, IEnumerable<(TInput Input, ulong Decisions)> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var memory = new TraceEncoder(4096);
        using (var writer = new TraceWriter<TInput>(null, header, codec, new TraceWriterOptions { MaxFileBytes = long.MaxValue }, memory))
        {
            foreach (var (input, decisions) in events)
            {
                writer.Record(input, decisions);
            }
        }

        return memory.Written.ToArray();
    }

    /// <summary>Writes a whole trace to <paramref name="path"/> atomically (owner-only, replacing what is there).</summary>
    public static void WriteFile(string path, TraceHeader header, ITraceCodec<TInput> codec, IEnumerable<(TInput Input, ulong Decisions)> events) =>
        DurableFile.ReplaceAtomically(path, Encode(header, codec, events));

    /// <summary>Records one input and the hash of the decisions the engine took for it.</summary>
    /// <exception cref="IOException">Writing a sealed chunk failed (a full disk); the chunk is lost, the recording goes on.</exception>
    public void Record(TInput input, ulong decisions)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var at = _codec.TimeOf(input);
        if (_chunkEvents == 0)
        {
            _chunkFirstAt = at;
            _chunkFirstIndex = Events;
            _chunk.Clear();
            _chunk.WriteUInt32(TraceFormat.ChunkMagic);
            _chunk.WriteUInt32(0); // payload length, patched when sealed
            _chunk.WriteUInt32(0); // event count
            _chunk.WriteUInt64((ulong)_chunkFirstIndex);
            _chunk.WriteUInt64(0); // checkpoint
        }

        _chunk.WriteByte(DecisionHash.Digest(decisions));
        _codec.Encode(input, _chunk);
        _running = DecisionHash.Add(_running, decisions);
        _chunkEvents++;
        Events++;
        if (_chunkEvents >= _options.ChunkEvents || _chunk.Length - TraceFormat.ChunkHeadSize >= _options.ChunkBytes || at - _chunkFirstAt >= _options.SealAfter)
        {
            Seal();
        }
    }

    /// <summary>Seals the open chunk and writes it (no fsync).</summary>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Seal();
    }

    /// <summary>Seals the last chunk, syncs the file and closes it. Safe to call more than once.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            Seal();
            if (_handle is not null)
            {
                DurableFile.DataSync(_handle, _path!);
            }
        }
        finally
        {
            _disposed = true;
            _handle?.Dispose();
            _handle = null;
        }
    }

    private void Seal()
    {
        if (_chunkEvents == 0)
        {
            return;
        }

        var payload = _chunk.Length - TraceFormat.ChunkHeadSize;
        _chunk.PatchUInt32(4, (uint)payload);
        _chunk.PatchUInt32(8, (uint)_chunkEvents);
        _chunk.PatchUInt64(20, _running);
        _chunk.WriteUInt32(Crc32C.Compute(_chunk.Written));
        _chunkEvents = 0;
        Append(_chunk.Written);

        // Rotate only between chunks, before the next could take the file past its cap; the codec starts afresh.
        if (_memory is null && _fileSize + _options.ChunkBytes + (2 * 1024) + TraceFormat.ChunkHeadSize > _options.MaxFileBytes)
        {
            _handle?.Dispose();
            _handle = null;
            _header = _header.Next(Events);
            Rotations++;
            StartFile();
        }
    }

    private void StartFile()
    {
        _codec.Reset();
        var head = new TraceEncoder(256 + _header.Configuration.Length);
        TraceFormat.WriteHeader(head, _header);
        if (_memory is null)
        {
            RotateExisting();
            _handle = DurableFile.CreateNew(_path!);
            _fileSize = 0;
        }

        Append(head.Written);
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (_memory is not null)
        {
            _memory.WriteBytes(bytes);
        }
        else
        {
            DurableFile.WriteAll(_handle!, bytes, _fileSize, _path!);
        }

        _fileSize += bytes.Length;
        BytesWritten += bytes.Length;
    }

    /// <summary>Moves <c>FILE</c> to <c>FILE.1</c> (and each older one up), deleting what falls beyond the kept generations.</summary>
    private void RotateExisting()
    {
        var path = _path!;
        if (DurableFile.TryStat(path) is null)
        {
            return;
        }

        if (_options.Generations == 0)
        {
            DurableFile.Delete(path);
            return;
        }

        DurableFile.Delete(Generation(path, _options.Generations));
        for (var n = _options.Generations - 1; n >= 1; n--)
        {
            var older = Generation(path, n);
            if (DurableFile.TryStat(older) is not null)
            {
                DurableFile.Rename(older, Generation(path, n + 1));
            }
        }

        DurableFile.Rename(path, Generation(path, 1));
    }

    private static string Generation(string path, int n) => path + "." + n.ToString(CultureInfo.InvariantCulture);
}
