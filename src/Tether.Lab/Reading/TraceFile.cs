using System.Buffers.Binary;
using Tether.Checksums;

namespace Tether.Lab;

/// <summary>
/// A trace file read into memory: its header, its valid chunks, and — when it does not end cleanly — where reading
/// stopped and why (<see cref="Stop"/>). Reading recovers the longest valid prefix: every chunk up to the first torn or
/// damaged one; nothing after it is used.
/// </summary>
public sealed class TraceFile
{
    private readonly byte[] _bytes;

    private TraceFile(string name, byte[] bytes, TraceHeader header, List<TraceChunk> chunks, TraceStop? stop)
    {
        Name = name;
        _bytes = bytes;
        Header = header;
        Chunks = chunks;
        Stop = stop;
    }

    /// <summary>The path (or name) it was read from.</summary>
    public string Name { get; }

    /// <summary>The header.</summary>
    public TraceHeader Header { get; }

    /// <summary>The valid chunks, in order.</summary>
    public IReadOnlyList<TraceChunk> Chunks { get; }

    /// <summary>Where reading stopped before the end of the file, or null when every byte was a valid chunk.</summary>
    public TraceStop? Stop { get; }

    /// <summary>The size of the file.</summary>
    public long FileBytes => _bytes.Length;

    /// <summary>Events recovered.</summary>
    public long EventCount => Chunks.Count == 0 ? 0 : Chunks[^1].FirstEventIndex + Chunks[^1].EventCount - Header.FirstEventIndex;

    /// <summary>The running decision hash after the last recovered event (the last checkpoint).</summary>
    public ulong FinalCheckpoint => Chunks.Count == 0 ? DecisionHash.Empty : Chunks[^1].Checkpoint;

    /// <summary>Reads the file at <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="TraceFormatException">It is not a trace, or its header is damaged.</exception>
    public static TraceFile Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Parse(File.ReadAllBytes(path), path);
    }

    /// <summary>Reads a trace from <paramref name="bytes"/>.</summary>
    /// <exception cref="TraceFormatException">It is not a trace, or its header is damaged.</exception>
    public static TraceFile Parse(byte[] bytes, string name = "trace")
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var (header, offset) = TraceFormat.ReadHeader(bytes);
        var chunks = new List<TraceChunk>();
        var next = header.FirstEventIndex;
        TraceStop? stop = null;
        while (offset < bytes.Length)
        {
            var problem = CheckChunk(bytes, offset, next, out var chunk, out var torn);
            if (problem is not null)
            {
                stop = new TraceStop(offset, chunks.Count, next, problem, torn);
                break;
            }

            chunks.Add(chunk!);
            next += chunk!.EventCount;
            offset = chunk.PayloadOffset + chunk.PayloadLength + TraceFormat.ChunkTailSize;
        }

        return new TraceFile(name, bytes, header, chunks, stop);
    }

    /// <summary>The recovered events, decoded with <paramref name="codec"/> (reset first).</summary>
    /// <exception cref="TraceFormatException">A chunk's checksum is valid but its events are not of this codec (another engine version).</exception>
    public IEnumerable<TraceRecord<TInput>> Events<TInput>(ITraceCodec<TInput> codec)
    {
        ArgumentNullException.ThrowIfNull(codec);
        codec.Reset();
        foreach (var chunk in Chunks)
        {
            var position = chunk.PayloadOffset;
            var end = chunk.PayloadOffset + chunk.PayloadLength;
            for (var i = 0; i < chunk.EventCount; i++)
            {
                var record = DecodeOne(codec, chunk, ref position, end, i);
                yield return record;
            }

            if (position != end)
            {
                throw new TraceFormatException($"chunk at byte {chunk.Offset} has {end - position} bytes left after its {chunk.EventCount} events");
            }
        }
    }

    /// <summary>Every event's encoded bytes (digest excluded) with its index, for comparing two traces byte for byte.</summary>
    public IEnumerable<(long Index, byte Digest, ReadOnlyMemory<byte> Bytes, TInput Input)> RawEvents<TInput>(ITraceCodec<TInput> codec)
    {
        ArgumentNullException.ThrowIfNull(codec);
        codec.Reset();
        foreach (var chunk in Chunks)
        {
            var position = chunk.PayloadOffset;
            var end = chunk.PayloadOffset + chunk.PayloadLength;
            for (var i = 0; i < chunk.EventCount; i++)
            {
                var start = position + 1;
                var record = DecodeOne(codec, chunk, ref position, end, i);
                yield return (record.Index, record.Digest, _bytes.AsMemory(start, position - start), record.Input);
            }
        }
    }

    private TraceRecord<TInput> DecodeOne<TInput>(ITraceCodec<TInput> codec, TraceChunk chunk, ref int position, int end, int i)
    {
        var decoder = new TraceDecoder(_bytes.AsSpan(0, end), position);
        try
        {
            var digest = decoder.ReadByte();
            var input = codec.Decode(ref decoder);
            position = decoder.Position;
            return new TraceRecord<TInput>(chunk.FirstEventIndex + i, digest, input);
        }
        catch (TraceFormatException ex)
        {
            throw new TraceFormatException($"event {chunk.FirstEventIndex + i} (chunk at byte {chunk.Offset}) does not decode: {ex.Message}", ex);
        }
    }

    private static string? CheckChunk(byte[] bytes, int offset, long expectedFirst, out TraceChunk? chunk, out bool torn)
    {
        chunk = null;
        torn = false;
        var rest = bytes.Length - offset;
        if (rest < TraceFormat.ChunkHeadSize)
        {
            torn = true;
            return $"the file ends {rest} bytes into a chunk head";
        }

        var span = bytes.AsSpan(offset);
        if (BinaryPrimitives.ReadUInt32LittleEndian(span) != TraceFormat.ChunkMagic)
        {
            return "no chunk marker";
        }

        var payload = BinaryPrimitives.ReadUInt32LittleEndian(span[4..]);
        var count = BinaryPrimitives.ReadUInt32LittleEndian(span[8..]);
        var first = (long)BinaryPrimitives.ReadUInt64LittleEndian(span[12..]);
        if (payload > TraceFormat.MaxChunkPayload || count == 0 || count > payload)
        {
            return $"an impossible chunk head (payload {payload} bytes, {count} events)";
        }

        var total = TraceFormat.ChunkHeadSize + (int)payload + TraceFormat.ChunkTailSize;
        if (total > rest)
        {
            torn = true;
            return $"the file ends {rest} bytes into a chunk of {total}";
        }

        var stored = BinaryPrimitives.ReadUInt32LittleEndian(span[(total - TraceFormat.ChunkTailSize)..]);
        if (Crc32C.Compute(span[..(total - TraceFormat.ChunkTailSize)]) != stored)
        {
            return "its checksum does not match";
        }

        if (first != expectedFirst)
        {
            return $"it starts at event {first}, not {expectedFirst}";
        }

        chunk = new TraceChunk(offset, offset + TraceFormat.ChunkHeadSize, (int)payload, (int)count, first, BinaryPrimitives.ReadUInt64LittleEndian(span[20..]));
        return null;
    }
}
