using System.Text;

namespace Tether.Output;

/// <summary>
/// Decodes bytes into lines. A line ends at <c>\n</c>; a <c>\r</c> before it is dropped; a final line without a
/// terminator is emitted at end of stream. A line longer than <see cref="MaxLineChars"/> is emitted in pieces so that a
/// stream without newlines cannot grow memory without bound.
/// </summary>
internal sealed class LineSplitter
{
    public const int MaxLineChars = 1024 * 1024;
    private readonly Decoder _decoder;
    private readonly StringBuilder _pending = new();
    private char[] _chars = new char[4096];

    public LineSplitter(Encoding encoding) => _decoder = encoding.GetDecoder();

    /// <summary>Long lines that were split into pieces.</summary>
    public long SplitLongLines { get; private set; }

    public void Feed(ReadOnlySpan<byte> bytes, Action<string> onLine)
    {
        var needed = _decoder.GetCharCount(bytes, flush: false);
        if (needed > _chars.Length)
        {
            _chars = new char[Math.Max(needed, _chars.Length * 2)];
        }

        var count = _decoder.GetChars(bytes, _chars, flush: false);
        Split(_chars.AsSpan(0, count), onLine);
    }

    public void Finish(Action<string> onLine)
    {
        var count = _decoder.GetChars([], _chars, flush: true);
        Split(_chars.AsSpan(0, count), onLine);
        if (_pending.Length > 0)
        {
            Emit(onLine);
        }
    }

    private void Split(ReadOnlySpan<char> chars, Action<string> onLine)
    {
        while (!chars.IsEmpty)
        {
            var newline = chars.IndexOf('\n');
            if (newline < 0)
            {
                _pending.Append(chars);
                if (_pending.Length >= MaxLineChars)
                {
                    SplitLongLines++;
                    Emit(onLine);
                }

                return;
            }

            var piece = chars[..newline];
            if (_pending.Length == 0)
            {
                onLine(new string(piece.EndsWith("\r") ? piece[..^1] : piece));
            }
            else
            {
                _pending.Append(piece);
                Emit(onLine);
            }

            chars = chars[(newline + 1)..];
        }
    }

    private void Emit(Action<string> onLine)
    {
        var length = _pending.Length;
        if (length > 0 && _pending[length - 1] == '\r')
        {
            length--;
        }

        onLine(_pending.ToString(0, length));
        _pending.Clear();
    }
}
