using System.Buffers.Binary;
using Tether.Checksums;

namespace Tether.Lab;

/// <summary>
/// The layout of a trace file (docs/formats/trace.md): a checksummed header, then checksummed chunks of events, each
/// chunk closing with a checkpoint of the running decision hash.
/// </summary>
public static class TraceFormat
{
    /// <summary>The format version this library writes and reads.</summary>
    public const ushort Version = 1;

    /// <summary>Bytes of a chunk's fixed head: magic, payload length, event count, first event index, checkpoint.</summary>
    public const int ChunkHeadSize = 4 + 4 + 4 + 8 + 8;

    /// <summary>Bytes after a chunk's payload: its CRC-32C.</summary>
    public const int ChunkTailSize = 4;

    /// <summary>The largest chunk payload a reader accepts (a writer seals long before).</summary>
    public const int MaxChunkPayload = 1 << 20;

    /// <summary>The largest configuration a header may carry.</summary>
    public const int MaxConfiguration = 1 << 16;

    internal const uint FileMagic = 0x43525454; // "TTRC" read little-endian
    internal const uint ChunkMagic = 0x4B484354; // "TCHK"

    /// <summary>Appends the file header for <paramref name="header"/>: magic, version, length, body, CRC-32C.</summary>
    public static void WriteHeader(TraceEncoder encoder, TraceHeader header)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(header);
        if (header.Configuration.Length > MaxConfiguration)
        {
            throw new ArgumentException($"A trace's configuration may be at most {MaxConfiguration} bytes.", nameof(header));
        }

        var start = encoder.Length;
        encoder.WriteUInt32(FileMagic);
        encoder.WriteByte((byte)Version);
        encoder.WriteByte((byte)(Version >> 8));
        encoder.WriteByte(0);
        encoder.WriteByte(0);
        var lengthAt = encoder.Length;
        encoder.WriteUInt32(0);
        var bodyStart = encoder.Length;
        encoder.WriteString(header.EngineKind);
        encoder.WriteVarUInt((ulong)header.EngineVersion);
        encoder.WriteUInt64(header.ConfigurationHash);
        encoder.WriteUInt64(header.Seed);
        encoder.WriteVarUInt((ulong)header.FileSequence);
        encoder.WriteVarUInt((ulong)header.FirstEventIndex);
        encoder.WriteLengthPrefixed(header.Configuration.Span);
        encoder.PatchUInt32(lengthAt, (uint)(encoder.Length - bodyStart));
        encoder.WriteUInt32(Crc32C.Compute(encoder.Written[start..]));
    }

    /// <summary>Reads the file header at the start of <paramref name="bytes"/>; returns it and the offset of the first chunk.</summary>
    /// <exception cref="TraceFormatException">Not a trace, another format version, a damaged header, or a configuration whose hash does not match.</exception>
    public static (TraceHeader Header, int Length) ReadHeader(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 12)
        {
            throw new TraceFormatException(bytes.Length == 0 ? "the file is empty" : $"the file is {bytes.Length} bytes long, shorter than a trace header");
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(bytes) != FileMagic)
        {
            throw new TraceFormatException("it does not start with a trace header (magic 'TTRC')");
        }

        var version = BinaryPrimitives.ReadUInt16LittleEndian(bytes[4..]);
        if (version != Version)
        {
            throw new TraceFormatException($"it is trace format version {version}; this tether reads version {Version}");
        }

        var bodyLength = BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]);
        if (bodyLength > MaxConfiguration + 1024 || 12 + bodyLength + 4 > bytes.Length)
        {
            throw new TraceFormatException($"its header is cut short or damaged (body length {bodyLength}, file {bytes.Length} bytes)");
        }

        var total = 12 + (int)bodyLength;
        if (Crc32C.Compute(bytes[..total]) != BinaryPrimitives.ReadUInt32LittleEndian(bytes[total..]))
        {
            throw new TraceFormatException("its header's checksum does not match: the header is damaged");
        }

        var decoder = new TraceDecoder(bytes[..total], 12);
        var kind = decoder.ReadString();
        var engineVersion = decoder.ReadCount();
        var hash = decoder.ReadUInt64();
        var seed = decoder.ReadUInt64();
        var sequence = decoder.ReadCount();
        var first = (long)decoder.ReadVarUInt();
        var configuration = decoder.ReadLengthPrefixed().ToArray();
        var header = new TraceHeader(kind, engineVersion, seed, configuration, sequence, first);
        if (header.ConfigurationHash != hash)
        {
            throw new TraceFormatException($"its configuration hash {hash:x16} does not match its configuration ({header.ConfigurationHash:x16})");
        }

        return (header, total + 4);
    }
}
