namespace Tether.Sessions;

// Bash's ANSI-C quoting (<c>$'…'</c>), decoded.
internal sealed partial class ShellParser
{
    // `$'…'`: bash's ANSI-C quoting, decoded — `$'\x72\x6d'` is `rm`.
    private void ReadAnsiC(ShellWordBuilder word, int start)
    {
        while (true)
        {
            if (_pos >= _src.Length)
            {
                _state.Problem($"unterminated $' quote opened at {Map(start)}");
                return;
            }

            var c = _src[_pos];
            if (c == '\'')
            {
                _pos++;
                return;
            }

            if (c != '\\' || _pos + 1 >= _src.Length)
            {
                word.Add(c, Map(_pos), quoted: true);
                _pos++;
                continue;
            }

            var origin = Map(_pos);
            var escape = _src[_pos + 1];
            _pos += 2;
            switch (escape)
            {
                case 'n': word.Add('\n', origin, quoted: true); break;
                case 't': word.Add('\t', origin, quoted: true); break;
                case 'r': word.Add('\r', origin, quoted: true); break;
                case 'a': word.Add('\a', origin, quoted: true); break;
                case 'b': word.Add('\b', origin, quoted: true); break;
                case 'f': word.Add('\f', origin, quoted: true); break;
                case 'v': word.Add('\v', origin, quoted: true); break;
                case 'e' or 'E': word.Add('\u001b', origin, quoted: true); break;
                case '\\' or '\'' or '"' or '?': word.Add(escape, origin, quoted: true); break;
                case 'x': AddCode(word, origin, radix: 16, maxDigits: 2, escape); break;
                case 'u': AddCode(word, origin, radix: 16, maxDigits: 4, escape); break;
                case 'U': AddCode(word, origin, radix: 16, maxDigits: 8, escape); break;
                case >= '0' and <= '7':
                    _pos--;
                    AddCode(word, origin, radix: 8, maxDigits: 3, escape);
                    break;
                case 'c':
                    if (_pos < _src.Length)
                    {
                        word.Add((char)(_src[_pos] & 0x1f), origin, quoted: true);
                        _pos++;
                    }

                    break;
                default:
                    word.Add('\\', origin, quoted: true);
                    word.Add(escape, origin, quoted: true);
                    break;
            }
        }
    }

    private void AddCode(ShellWordBuilder word, int origin, int radix, int maxDigits, char escape)
    {
        var value = 0L;
        var digits = 0;
        while (digits < maxDigits && _pos < _src.Length && DigitValue(_src[_pos], radix) is var d && d >= 0)
        {
            value = (value * radix) + d;
            digits++;
            _pos++;
        }

        if (digits == 0)
        {
            word.Add('\\', origin, quoted: true);
            word.Add(escape, origin, quoted: true);
            return;
        }

        if (radix == 8)
        {
            value &= 0xFF;
        }

        if (value is >= 0 and <= 0x10FFFF and not (>= 0xD800 and <= 0xDFFF))
        {
            word.Add(char.ConvertFromUtf32((int)value), origin, quoted: true);
        }
    }

    private static int DigitValue(char c, int radix) => c switch
    {
        >= '0' and <= '7' => c - '0',
        '8' or '9' when radix == 16 => c - '0',
        >= 'a' and <= 'f' when radix == 16 => c - 'a' + 10,
        >= 'A' and <= 'F' when radix == 16 => c - 'A' + 10,
        _ => -1,
    };
}
