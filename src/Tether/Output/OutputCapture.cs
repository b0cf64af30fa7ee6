using System.Buffers;

namespace Tether.Output;

/// <summary>
/// The bytes of one output stream kept for the result, bounded by an <see cref="OutputLimit"/>. Stored as a list of
/// pooled chunks so that large captures never copy on growth; the keep-newest policy drops whole chunks from the head.
/// While everything read is kept, the pump reads straight into the last chunk (<see cref="ReadTarget"/>), so the bytes
/// are copied once, into the result, after the kernel's own copy. Chunks grow with the capture (64 KiB up to 1 MiB),
/// so a large output is read in few, large reads.
/// Not thread-safe: one pump appends, the result is read after the pump ended.
/// </summary>
internal sealed class OutputCapture : IDisposable
{
    private const int ChunkSize = 64 * 1024;
    private const int LargestChunkSize = 1024 * 1024;
    private readonly List<byte[]> _chunks = [];
    private readonly OutputLimit _limit;
    private int _headOffset; // bytes of _chunks[0] already dropped (keep-newest)
    private int _tailUsed;   // bytes used in the last chunk
    private long _length;

    public OutputCapture(OutputLimit limit) => _limit = limit;

    public bool Truncated { get; private set; }

    /// <summary>True once the stream produced more than the limit under <see cref="OverflowPolicy.Error"/>.</summary>
    public bool Overflowed { get; private set; }

    public long Length => _length;

    public void Append(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty || Overflowed)
        {
            return;
        }

        var room = _limit.MaxBytes - _length;
        if (data.Length > room)
        {
            switch (_limit.Policy)
            {
                case OverflowPolicy.Error:
                    Overflowed = true;
                    Truncated = true;
                    data = data[..(int)Math.Max(0, room)];
                    break;
                case OverflowPolicy.KeepOldest:
                    Truncated = true;
                    data = data[..(int)Math.Max(0, room)];
                    break;
                case OverflowPolicy.KeepNewest:
                    Truncated = true;
                    if (data.Length >= _limit.MaxBytes)
                    {
                        Clear();
                        data = data[^(int)_limit.MaxBytes..];
                    }
                    else
                    {
                        DropHead(data.Length - room);
                    }

                    break;
            }
        }

        while (!data.IsEmpty)
        {
            if (_chunks.Count == 0 || _tailUsed == _chunks[^1].Length)
            {
                _chunks.Add(ArrayPool<byte>.Shared.Rent(ChunkSize));
                _tailUsed = 0;
            }

            var tail = _chunks[^1];
            var n = Math.Min(data.Length, tail.Length - _tailUsed);
            data[..n].CopyTo(tail.AsSpan(_tailUsed));
            _tailUsed += n;
            _length += n;
            data = data[n..];
        }
    }

    /// <summary>
    /// Free room in the last chunk (a new one when it is full) to read the next bytes into, then
    /// <see cref="Commit"/> them; empty when fewer than <paramref name="minimum"/> bytes are left below the limit, so
    /// that what is read goes through <see cref="Append"/> and its policy instead.
    /// </summary>
    public Memory<byte> ReadTarget(int minimum)
    {
        var room = _limit.MaxBytes - _length;
        if (Overflowed || room < minimum)
        {
            return Memory<byte>.Empty;
        }

        if (_chunks.Count == 0 || _tailUsed == _chunks[^1].Length)
        {
            _chunks.Add(ArrayPool<byte>.Shared.Rent((int)Math.Clamp(_length / 4, ChunkSize, LargestChunkSize)));
            _tailUsed = 0;
        }

        var free = _chunks[^1].Length - _tailUsed;
        return _chunks[^1].AsMemory(_tailUsed, (int)Math.Min(free, room));
    }

    /// <summary>Keeps <paramref name="count"/> bytes just read into the <see cref="ReadTarget"/>.</summary>
    public void Commit(int count)
    {
        _tailUsed += count;
        _length += count;
    }

    public byte[] ToArray()
    {
        if (_length == 0)
        {
            return [];
        }

        var result = GC.AllocateUninitializedArray<byte>(checked((int)_length));
        var position = 0;
        for (var i = 0; i < _chunks.Count; i++)
        {
            var start = i == 0 ? _headOffset : 0;
            var end = i == _chunks.Count - 1 ? _tailUsed : _chunks[i].Length;
            var span = _chunks[i].AsSpan(start, end - start);
            span.CopyTo(result.AsSpan(position));
            position += span.Length;
        }

        return result;
    }

    public void Dispose() => Clear();

    private void DropHead(long count)
    {
        while (count > 0 && _chunks.Count > 0)
        {
            var first = _chunks[0];
            var firstEnd = _chunks.Count == 1 ? _tailUsed : first.Length;
            var available = firstEnd - _headOffset;
            if (count >= available && _chunks.Count > 1)
            {
                ArrayPool<byte>.Shared.Return(first);
                _chunks.RemoveAt(0);
                _headOffset = 0;
                _length -= available;
                count -= available;
            }
            else
            {
                var n = (int)Math.Min(count, available);
                _headOffset += n;
                _length -= n;
                count -= n;
                if (_chunks.Count == 1 && _headOffset == _tailUsed)
                {
                    Clear();
                    return;
                }
            }
        }
    }

    private void Clear()
    {
        foreach (var chunk in _chunks)
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        _chunks.Clear();
        _headOffset = 0;
        _tailUsed = 0;
        _length = 0;
    }
}
