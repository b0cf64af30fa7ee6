using System.Buffers.Binary;
using System.Text;

namespace Tether.Lab;

/// <summary>
/// Reads what <see cref="TraceEncoder"/> wrote, from a span, advancing <see cref="Position"/>. Reading past the end or
/// an over-long varint throws <see cref="TraceFormatException"/>: a decoder never invents a value.
/// </summary>
public ref struct TraceDecoder
{
    private readonly ReadOnlySpan<byte> _bytes;

    /// <summary>Starts reading <paramref name="bytes"/> at <paramref name="position"/>.</summary>
    public TraceDecoder(ReadOnlySpan<byte> bytes, int position = 0)
    {
        _bytes = bytes;
        Position = position;
    }

    /// <summary>The offset of the next byte to read.</summary>
    public int Position { get; private set; }

    /// <summary>Whether every byte has been read.</summary>
    public readonly bool AtEnd => Position >= _bytes.Length;

    /// <summary>Reads one byte.</summary>
    public byte ReadByte()
    {
        Need(1);
        return _bytes[Position++];
    }

    /// <summary>Reads an unsigned LEB128 varint.</summary>
    public ulong ReadVarUInt()
    {
        ulong value = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            var b = ReadByte();
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new TraceFormatException($"a varint at offset {Position} runs past 10 bytes");
    }

    /// <summary>Reads a zigzag varint.</summary>
    public long ReadVarInt()
    {
        var raw = ReadVarUInt();
        return (long)(raw >> 1) ^ -(long)(raw & 1);
    }

    /// <summary>Reads a varint that must fit an <see cref="int"/> from 0 up.</summary>
    public int ReadCount()
    {
        var value = ReadVarUInt();
        return value <= int.MaxValue ? (int)value : throw new TraceFormatException($"a count of {value} at offset {Position} is out of range");
    }

    /// <summary>Reads a fixed 32-bit little-endian word.</summary>
    public uint ReadUInt32()
    {
        Need(4);
        var value = BinaryPrimitives.ReadUInt32LittleEndian(_bytes[Position..]);
        Position += 4;
        return value;
    }

    /// <summary>Reads a fixed 64-bit little-endian word.</summary>
    public ulong ReadUInt64()
    {
        Need(8);
        var value = BinaryPrimitives.ReadUInt64LittleEndian(_bytes[Position..]);
        Position += 8;
        return value;
    }

    /// <summary>Reads <paramref name="count"/> bytes (a slice of the source, not a copy).</summary>
    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        Need(count);
        var slice = _bytes.Slice(Position, count);
        Position += count;
        return slice;
    }

    /// <summary>Reads a length varint and that many bytes.</summary>
    public ReadOnlySpan<byte> ReadLengthPrefixed() => ReadBytes(ReadCount());

    /// <summary>Reads a length-prefixed UTF-8 string.</summary>
    public string ReadString() => Encoding.UTF8.GetString(ReadLengthPrefixed());

    private readonly void Need(int count)
    {
        if (count < 0 || Position + count > _bytes.Length)
        {
            throw new TraceFormatException($"a record runs past its end (needs {count} bytes at offset {Position} of {_bytes.Length})");
        }
    }
}
