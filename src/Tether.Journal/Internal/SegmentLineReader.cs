using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace Tether.Journaling.Internal;

/// <summary>What <see cref="SegmentLineReader.NextAsync"/> found.</summary>
internal enum LineKind
{
    /// <summary>A complete line (its newline excluded from <see cref="SegmentLineReader.Line"/>).</summary>
    Line,

    /// <summary>A line longer than the limit; its bytes were skipped up to its newline (or the end).</summary>
    TooLong,

    /// <summary>Bytes at the end of the file without a newline.</summary>
    Partial,

    /// <summary>Nothing more.</summary>
    End,
}

/// <summary>
/// Reads a segment forward, line by line, in constant memory: a buffer that grows only up to the longest allowed line.
/// Never changes the file.
/// </summary>
internal sealed class SegmentLineReader : IDisposable
{
    private const int InitialBuffer = 64 * 1024;

    private readonly SafeFileHandle _handle;
    private readonly int _maxLineBytes;
    private byte[] _buffer;
    private long _bufferOffset; // file offset of _buffer[0]
    private int _start;
    private int _end;
    private bool _eof;
    private int _lineStart;
    private int _lineLength;

    public SegmentLineReader(SafeFileHandle handle, long offset, int maxLineBytes)
    {
        _handle = handle;
        _maxLineBytes = maxLineBytes;
        _buffer = ArrayPool<byte>.Shared.Rent(InitialBuffer);
        _bufferOffset = offset;
    }

    /// <summary>The current line's bytes (valid until the next call).</summary>
    public ReadOnlySpan<byte> Line => _buffer.AsSpan(_lineStart, _lineLength);

    /// <summary>The file offset where the current item starts.</summary>
    public long Offset { get; private set; }

    /// <summary>The current item's length in the file, its newline included.</summary>
    public long Length { get; private set; }

    /// <summary>The file offset just after the last complete line returned (or the start offset).</summary>
    public long Position => _bufferOffset + _start;

    public async ValueTask<LineKind> NextAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                _lineStart = _start;
                _lineLength = newline;
                Offset = _bufferOffset + _start;
                Length = newline + 1;
                _start += newline + 1;
                if (newline > _maxLineBytes)
                {
                    _lineLength = 0;
                    return LineKind.TooLong;
                }

                return LineKind.Line;
            }

            if (_end - _start > _maxLineBytes)
            {
                return await SkipLongLineAsync(cancellationToken).ConfigureAwait(false);
            }

            if (_eof)
            {
                if (_end > _start)
                {
                    _lineStart = _start;
                    _lineLength = _end - _start;
                    Offset = _bufferOffset + _start;
                    Length = _lineLength;
                    _start = _end;
                    return LineKind.Partial;
                }

                return LineKind.End;
            }

            await FillAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _bufferOffset += _start;
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)_buffer.Length * 2, _maxLineBytes + 1L + InitialBuffer));
            _buffer.AsSpan(0, _end).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }

        var read = await RandomAccess.ReadAsync(_handle, _buffer.AsMemory(_end), _bufferOffset + _end, cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            _eof = true;
        }

        _end += read;
    }

    private async ValueTask<LineKind> SkipLongLineAsync(CancellationToken cancellationToken)
    {
        Offset = _bufferOffset + _start;
        var skipped = 0L;
        while (true)
        {
            var newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                skipped += newline + 1;
                _start += newline + 1;
                break;
            }

            skipped += _end - _start;
            _bufferOffset += _end;
            _start = _end = 0;
            if (_eof)
            {
                break;
            }

            var read = await RandomAccess.ReadAsync(_handle, _buffer.AsMemory(), _bufferOffset, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                _eof = true;
            }

            _end = read;
        }

        Length = skipped;
        _lineStart = _lineLength = 0;
        return LineKind.TooLong;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
