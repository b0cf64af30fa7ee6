using System.Buffers.Binary;
using System.Text;

namespace Tether.Lab;

/// <summary>
/// Appends the compact encodings of a trace to a reusable buffer: bytes, unsigned LEB128 varints, zigzag varints for
/// signed deltas, and fixed little-endian words. The buffer grows by doubling and is reused, so encoding an input
/// allocates nothing once it has reached its working size.
/// </summary>
public sealed class TraceEncoder
{
    private byte[] _buffer;
    private int _length;

    /// <summary>Creates an encoder with room for <paramref name="capacity"/> bytes before it grows.</summary>
    public TraceEncoder(int capacity = 256) => _buffer = new byte[Math.Max(16, capacity)];

    /// <summary>Bytes written so far.</summary>
    public int Length => _length;

    /// <summary>The bytes written so far (valid until the next write or <see cref="Clear"/>).</summary>
    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    /// <summary>Forgets what was written; keeps the buffer.</summary>
    public void Clear() => _length = 0;

    /// <summary>Cuts what was written back to <paramref name="length"/> bytes.</summary>
    public void Truncate(int length) => _length = Math.Clamp(length, 0, _length);

    /// <summary>Appends one byte.</summary>
    public void WriteByte(byte value)
    {
        Ensure(1);
        _buffer[_length++] = value;
    }

    /// <summary>Appends <paramref name="value"/> as an unsigned LEB128 varint (1 byte below 128, at most 10).</summary>
    public void WriteVarUInt(ulong value)
    {
        Ensure(10);
        while (value >= 0x80)
        {
            _buffer[_length++] = (byte)(value | 0x80);
            value >>= 7;
        }

        _buffer[_length++] = (byte)value;
    }

    /// <summary>Appends a signed value zigzag-encoded (0, -1, 1, -2 … become 0, 1, 2, 3 …) as a varint: small deltas either way stay small.</summary>
    public void WriteVarInt(long value) => WriteVarUInt((ulong)((value << 1) ^ (value >> 63)));

    /// <summary>Appends a fixed 32-bit little-endian word.</summary>
    public void WriteUInt32(uint value)
    {
        Ensure(4);
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(_length), value);
        _length += 4;
    }

    /// <summary>Appends a fixed 64-bit little-endian word.</summary>
    public void WriteUInt64(ulong value)
    {
        Ensure(8);
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer.AsSpan(_length), value);
        _length += 8;
    }

    /// <summary>Appends <paramref name="bytes"/> as they are.</summary>
    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    /// <summary>Appends a length varint and the bytes.</summary>
    public void WriteLengthPrefixed(ReadOnlySpan<byte> bytes)
    {
        WriteVarUInt((ulong)bytes.Length);
        WriteBytes(bytes);
    }

    /// <summary>Appends a UTF-8 string with a length varint.</summary>
    public void WriteString(string value)
    {
        var count = Encoding.UTF8.GetByteCount(value);
        WriteVarUInt((ulong)count);
        Ensure(count);
        _length += Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_length));
    }

    /// <summary>Overwrites a fixed 32-bit word at <paramref name="offset"/> (a length or count known only at the end).</summary>
    public void PatchUInt32(int offset, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(offset, 4), value);

    /// <summary>Overwrites a fixed 64-bit word at <paramref name="offset"/>.</summary>
    public void PatchUInt64(int offset, ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(_buffer.AsSpan(offset, 8), value);

    private void Ensure(int more)
    {
        if (_length + more > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + more));
        }
    }
}
