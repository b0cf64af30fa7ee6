namespace Tether.Watch;

/// <summary>One line of an audit file as bytes, without its line end.</summary>
/// <param name="Number">1-based line number.</param>
/// <param name="Offset">Byte offset of the line's first byte.</param>
/// <param name="Bytes">The line's bytes, without the <c>\n</c>; empty when <paramref name="TooLong"/>.</param>
/// <param name="Terminated">True when a <c>\n</c> ends the line; false for an incomplete last line.</param>
/// <param name="TooLong">True when no line end came within <see cref="AuditFormat.MaxLineBytes"/> bytes.</param>
internal readonly record struct AuditLine(long Number, long Offset, byte[] Bytes, bool Terminated, bool TooLong);

/// <summary>Reads an audit file line by line with a bounded buffer: no line, however long, takes more memory than the limit.</summary>
internal sealed class AuditLineReader(Stream stream)
{
    private readonly byte[] _buffer = new byte[(AuditFormat.MaxLineBytes * 2) + 2];
    private int _start;
    private int _end;
    private long _offset; // stream offset of _buffer[_start]
    private long _number;
    private bool _eof;

    /// <summary>Reads the next line; false at the end of the file.</summary>
    public bool TryRead(out AuditLine line)
    {
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline >= 0 && newline - _start <= AuditFormat.MaxLineBytes)
            {
                line = new AuditLine(++_number, _offset, _buffer[_start..newline], Terminated: true, TooLong: false);
                Consume(newline + 1 - _start);
                return true;
            }

            if (_end - _start > AuditFormat.MaxLineBytes)
            {
                line = new AuditLine(++_number, _offset, [], Terminated: newline >= 0, TooLong: true);
                return true;
            }

            if (_eof)
            {
                if (_start == _end)
                {
                    line = default;
                    return false;
                }

                line = new AuditLine(++_number, _offset, _buffer[_start.._end], Terminated: false, TooLong: false);
                Consume(_end - _start);
                return true;
            }

            Fill();
        }
    }

    /// <summary>True when nothing follows the lines read so far.</summary>
    public bool AtEnd()
    {
        if (_start == _end && !_eof)
        {
            Fill();
        }

        return _start == _end && _eof;
    }

    private void Consume(int count)
    {
        _start += count;
        _offset += count;
    }

    private void Fill()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        var read = stream.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0)
        {
            _eof = true;
        }

        _end += read;
    }
}
