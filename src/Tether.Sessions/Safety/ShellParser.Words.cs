namespace Tether.Sessions;

// Words: quoting, escapes, parameter and array syntax, and the substitutions inside words (read as commands of their own).
internal sealed partial class ShellParser
{
    private ShellWordBuilder ReadWord(ShellCommandBuilder command, int depth)
    {
        var word = new ShellWordBuilder(_pos);
        while (_pos < _src.Length && !_state.Aborted)
        {
            var c = _src[_pos];
            if (c is ' ' or '\t' or '\n' or ';' or '&' or '|' or ')')
            {
                break;
            }

            if (c == '(')
            {
                if (!IsArrayAssignment(word))
                {
                    break;
                }

                ReadArrayLiteral(word, command, depth);
            }
            else if (c is '<' or '>')
            {
                if (_pos != word.Start || Peek(1) != '(')
                {
                    break;
                }

                // Process substitution: `<(cmd)`, `>(cmd)`.
                var start = _pos;
                _pos += 2;
                Nest(')', command, fromSubstitution: true, depth);
                AppendRaw(word, start, quoted: false);
            }
            else if (c == '\\')
            {
                if (Peek(1) == '\n')
                {
                    _pos += 2; // line continuation
                }
                else if (_pos + 1 < _src.Length)
                {
                    word.Add(_src[_pos + 1], Map(_pos + 1), quoted: true);
                    _pos += 2;
                }
                else
                {
                    word.Add('\\', Map(_pos), quoted: false);
                    _pos++;
                }
            }
            else if (c == '\'')
            {
                ReadSingleQuoted(word);
            }
            else if (c == '"')
            {
                ReadDoubleQuoted(word, command, depth, hereDocument: false);
            }
            else if (c == '`')
            {
                ReadBackquoted(word, command, depth, quoted: false);
            }
            else if (c == '$')
            {
                ReadDollar(word, command, depth, inDoubleQuotes: false);
            }
            else
            {
                word.Add(c, Map(_pos), quoted: false);
                _pos++;
            }
        }

        word.End = _pos;
        return word;
    }

    private static bool IsArrayAssignment(ShellWordBuilder word) =>
        word.Length > 0 && word.IsAssignment && ShellWordBuilder.AssignmentEqualsAt(word.Value) == word.Length - 1;

    // `name=(a b $(c))`: the elements are words, not a subshell.
    private void ReadArrayLiteral(ShellWordBuilder word, ShellCommandBuilder command, int depth)
    {
        var start = _pos;
        _pos++;
        if (!Deeper(depth))
        {
            return;
        }

        while (!_state.Aborted)
        {
            while (_pos < _src.Length && _src[_pos] is ' ' or '\t' or '\n')
            {
                _pos++;
            }

            if (_pos >= _src.Length)
            {
                _state.Problem($"unterminated array opened at {Map(start)}");
                break;
            }

            if (_src[_pos] == ')')
            {
                _pos++;
                break;
            }

            if (_src[_pos] == '#')
            {
                while (_pos < _src.Length && _src[_pos] != '\n')
                {
                    _pos++;
                }

                continue;
            }

            var element = ReadWord(command, depth + 1);
            if (element.End == element.Start)
            {
                _pos++; // an operator where an element should be: skip it
            }
        }

        AppendRaw(word, start, quoted: false);
    }

    private void ReadSingleQuoted(ShellWordBuilder word)
    {
        var opened = _pos;
        _pos++;
        word.MarkQuoted();
        while (_pos < _src.Length && _src[_pos] != '\'')
        {
            word.Add(_src[_pos], Map(_pos), quoted: true);
            _pos++;
        }

        if (_pos >= _src.Length)
        {
            _state.Problem($"unterminated single quote opened at {Map(opened)}");
            return;
        }

        _pos++;
    }

    // Inside double quotes — or in an unquoted here-document body, where `"` is an ordinary character and the end of
    // the text is the end of the body.
    private void ReadDoubleQuoted(ShellWordBuilder word, ShellCommandBuilder command, int depth, bool hereDocument)
    {
        var opened = _pos;
        if (!hereDocument)
        {
            _pos++;
            word.MarkQuoted();
        }

        while (!_state.Aborted)
        {
            if (_pos >= _src.Length)
            {
                if (!hereDocument)
                {
                    _state.Problem($"unterminated double quote opened at {Map(opened)}");
                }

                return;
            }

            var c = _src[_pos];
            if (c == '"' && !hereDocument)
            {
                _pos++;
                return;
            }

            if (c == '\\')
            {
                var next = Peek(1);
                if (next == '\n')
                {
                    _pos += 2;
                }
                else if (next is '$' or '`' or '\\' || (next == '"' && !hereDocument))
                {
                    word.Add(next, Map(_pos + 1), quoted: true);
                    _pos += 2;
                }
                else
                {
                    word.Add('\\', Map(_pos), quoted: true);
                    _pos++;
                }
            }
            else if (c == '`')
            {
                ReadBackquoted(word, command, depth, quoted: true);
            }
            else if (c == '$')
            {
                ReadDollar(word, command, depth, inDoubleQuotes: true);
            }
            else
            {
                word.Add(c, Map(_pos), quoted: true);
                _pos++;
            }
        }
    }

    private void ReadDollar(ShellWordBuilder word, ShellCommandBuilder command, int depth, bool inDoubleQuotes)
    {
        var start = _pos;
        var next = Peek(1);
        if (next == '(')
        {
            // `$(…)`, and `$((…))` arithmetic, read as a substitution holding a subshell (harmless words).
            _pos += 2;
            Nest(')', command, fromSubstitution: true, depth);
            AppendRaw(word, start, inDoubleQuotes);
        }
        else if (next == '{')
        {
            _pos += 2;
            if (Deeper(depth))
            {
                ReadParameter(command, depth + 1, start);
            }

            AppendRaw(word, start, inDoubleQuotes);
        }
        else if (next == '\'' && !inDoubleQuotes)
        {
            _pos += 2;
            word.MarkQuoted();
            ReadAnsiC(word, start);
        }
        else if (next == '"' && !inDoubleQuotes)
        {
            _pos++;
            ReadDoubleQuoted(word, command, depth, hereDocument: false);
        }
        else
        {
            word.Add('$', Map(_pos), inDoubleQuotes);
            _pos++;
        }
    }

    // `${…}` — the value stays as written; only substitutions inside it (`${x:-$(cmd)}`) matter.
    private void ReadParameter(ShellCommandBuilder command, int depth, int start)
    {
        var level = 1;
        var scratch = new ShellWordBuilder(_pos);
        while (!_state.Aborted)
        {
            if (_pos >= _src.Length)
            {
                _state.Problem($"unterminated '${{' opened at {Map(start)}");
                return;
            }

            var c = _src[_pos];
            if (c == '}')
            {
                _pos++;
                if (--level == 0)
                {
                    return;
                }
            }
            else if (c == '\\')
            {
                _pos = Math.Min(_pos + 2, _src.Length);
            }
            else if (c == '\'')
            {
                ReadSingleQuoted(scratch);
            }
            else if (c == '"')
            {
                ReadDoubleQuoted(scratch, command, depth, hereDocument: false);
            }
            else if (c == '`')
            {
                ReadBackquoted(scratch, command, depth, quoted: true);
            }
            else if (c == '$' && Peek(1) == '{')
            {
                _pos += 2;
                level++;
            }
            else if (c == '$' && Peek(1) == '(')
            {
                _pos += 2;
                Nest(')', command, fromSubstitution: true, depth);
            }
            else
            {
                _pos++;
            }
        }
    }

    // `` `cmd` ``: the text between the backquotes, with `\``, `\\` and `\$` unescaped, is a script of its own.
    private void ReadBackquoted(ShellWordBuilder word, ShellCommandBuilder command, int depth, bool quoted)
    {
        var start = _pos;
        _pos++;
        var script = new ShellWordBuilder(_pos);
        var closed = false;
        while (_pos < _src.Length)
        {
            var c = _src[_pos];
            if (c == '`')
            {
                _pos++;
                closed = true;
                break;
            }

            if (c == '\\' && Peek(1) is '`' or '\\' or '$')
            {
                script.Add(_src[_pos + 1], Map(_pos + 1), quoted: false);
                _pos += 2;
                continue;
            }

            script.Add(c, Map(_pos), quoted: false);
            _pos++;
        }

        if (!closed)
        {
            _state.Problem($"unterminated backquote opened at {Map(start)}");
        }

        AppendRaw(word, start, quoted);
        ParseNested(script.Value, script.Origin, command, fromSubstitution: true, depth);
    }
}
