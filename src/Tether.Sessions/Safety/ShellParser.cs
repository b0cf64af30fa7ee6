namespace Tether.Sessions;

/// <summary>
/// Reads shell text the way bash tokenises it — far enough to find every simple command, never to run or expand
/// anything. One parser reads one text: the line, or a script nested in it (the unquoted argument of <c>bash -c</c>,
/// the inside of backquotes, an unquoted here-document body). Nested texts carry, for each character, its position in
/// the original line, so every command can say where it is.
/// </summary>
/// <remarks>Never throws and never loops in place: each turn of every loop consumes at least one character, depth is
/// capped at <see cref="MaxDepth"/> and re-reading at <see cref="ShellParseState.Budget"/>; past either the parse is
/// abandoned with a problem, keeping what was found.</remarks>
internal sealed class ShellParser
{
    /// <summary>How deep subshells, substitutions and nested scripts may go before the rest is not read.</summary>
    public const int MaxDepth = 24;

    private const char NoTerminator = '\0';

    // Longest first, so that `>>` is not read as `>`.
    private static readonly string[] RedirectionOperators = ["&>>", "&>", "<<<", "<<-", "<<", "<>", "<&", ">>", ">|", ">&", "<", ">"];

    private readonly string _src;
    private readonly IReadOnlyList<int>? _origin;
    private readonly ShellParseState _state;
    private readonly List<PendingHereDocument> _hereDocuments = [];
    private int _pos;

    private ShellParser(string src, IReadOnlyList<int>? origin, ShellParseState state)
    {
        _src = src;
        _origin = origin;
        _state = state;
    }

    /// <summary>Reads the state's line, adding what it finds to the state.</summary>
    public static void ParseLine(ShellParseState state) =>
        new ShellParser(state.Line, null, state).ParseList(NoTerminator, parent: null, fromSubstitution: false, depth: 0);

    // ---------------------------------------------------------------------------------------------------------------
    // Lists: commands joined by operators, up to a terminator (`)` of a subshell or substitution) or the end.
    // ---------------------------------------------------------------------------------------------------------------

    private void ParseList(char terminator, ShellCommandBuilder? parent, bool fromSubstitution, int depth)
    {
        var opened = _pos - 1;
        ShellCommandBuilder? command = null;
        var pipeline = _state.NextPipeline();
        var stage = 0;
        var expectFunctionName = false;

        while (!_state.Aborted)
        {
            SkipBlanks();
            if (_pos >= _src.Length)
            {
                Emit(command, pipeline, stage, depth);
                if (terminator != NoTerminator)
                {
                    _state.Problem($"unterminated '(' opened at {Map(opened)}");
                }

                return;
            }

            var c = _src[_pos];
            if (terminator != NoTerminator && c == terminator)
            {
                Emit(command, pipeline, stage, depth);
                _pos++;
                return;
            }

            switch (c)
            {
                case '\n':
                    Emit(command, pipeline, stage, depth);
                    command = null;
                    pipeline = _state.NextPipeline();
                    stage = 0;
                    _pos++;
                    ReadHereDocuments();
                    continue;

                case '#':
                    // A `#` at the start of a word starts a comment (inside a word it was consumed by ReadWord).
                    while (_pos < _src.Length && _src[_pos] != '\n')
                    {
                        _pos++;
                    }

                    continue;

                case ';':
                    Emit(command, pipeline, stage, depth);
                    command = null;
                    pipeline = _state.NextPipeline();
                    stage = 0;
                    _pos++;
                    while (_pos < _src.Length && _src[_pos] is ';' or '&')
                    {
                        _pos++; // `;;`, `;&`, `;;&` of a case clause
                    }

                    continue;

                case '&' when Peek(1) != '>':
                    Emit(command, pipeline, stage, depth);
                    command = null;
                    pipeline = _state.NextPipeline();
                    stage = 0;
                    _pos += Peek(1) == '&' ? 2 : 1;
                    continue;

                case '|':
                    Emit(command, pipeline, stage, depth);
                    command = null;
                    if (Peek(1) == '|')
                    {
                        pipeline = _state.NextPipeline();
                        stage = 0;
                        _pos += 2;
                    }
                    else
                    {
                        stage++;
                        _pos += Peek(1) == '&' ? 2 : 1;
                    }

                    continue;

                case '(':
                    if (command is { Words.Count: 1, Redirections.Count: 0 } && !command.Words[0].Quoted
                        && NextNonBlank(_pos + 1) is var close && close < _src.Length && _src[close] == ')')
                    {
                        // `name() …`: a function definition; its body follows as a group or subshell.
                        _state.Functions.Add(command.Words[0].Value);
                        command = null;
                        _pos = close + 1;
                        continue;
                    }

                    Emit(command, pipeline, stage, depth);
                    command = null;
                    _pos++;
                    Nest(')', parent, fromSubstitution, depth);
                    continue;

                case ')':
                    // Unbalanced, or the pattern of a case clause: a separator.
                    Emit(command, pipeline, stage, depth);
                    command = null;
                    _pos++;
                    continue;
            }

            command ??= new ShellCommandBuilder(_pos, parent, fromSubstitution);
            if (AtRedirection())
            {
                ReadRedirection(command, depth);
                continue;
            }

            var word = ReadWord(command, depth);
            if (word.End == word.Start)
            {
                _pos++;
                continue;
            }

            if (command.IsEmpty && !word.Quoted)
            {
                if (expectFunctionName)
                {
                    expectFunctionName = false;
                    _state.Functions.Add(word.Value);
                    command = null;
                    continue;
                }

                if (IsReservedWord(word.Value))
                {
                    expectFunctionName = word.Value == "function";
                    command = null;
                    continue;
                }
            }

            command.Words.Add(word);
            command.End = word.End;
        }
    }

    private void Nest(char terminator, ShellCommandBuilder? parent, bool fromSubstitution, int depth)
    {
        if (Deeper(depth))
        {
            ParseList(terminator, parent, fromSubstitution, depth + 1);
        }
    }

    private void ParseNested(string text, IReadOnlyList<int> origin, ShellCommandBuilder parent, bool fromSubstitution, int depth)
    {
        if (text.Length == 0 || !Deeper(depth))
        {
            return;
        }

        _state.Budget -= text.Length;
        if (_state.Budget < 0)
        {
            _state.Abort("too many nested scripts to read");
            return;
        }

        new ShellParser(text, origin, _state).ParseList(NoTerminator, parent, fromSubstitution, depth + 1);
    }

    private bool Deeper(int depth)
    {
        if (depth >= MaxDepth)
        {
            _state.Abort($"nested more than {MaxDepth} levels deep");
            return false;
        }

        return true;
    }

    private void Emit(ShellCommandBuilder? command, int pipeline, int stage, int depth)
    {
        if (command is null || command.IsEmpty || command.Emitted)
        {
            return;
        }

        command.Emitted = true;
        command.Pipeline = pipeline;
        command.Stage = stage;
        command.Text = _src[command.Start..command.End];
        command.LineStart = Map(command.Start);
        command.LineEnd = Math.Max(command.LineStart, Map(command.End - 1) + 1);
        CommandPrefixes.Apply(command);
        _state.Commands.Add(command);

        if (NestedScripts.Find(command) is var (text, origin))
        {
            ParseNested(text, origin, command, fromSubstitution: false, depth);
        }
        else if (NestedScripts.ReadsScriptFromInput(command))
        {
            // `sh <<< "…"`, and `echo "…" | sh`: the input is the script. (A here-document's body is read at the next
            // newline, in ReadHereDocuments.)
            foreach (var redirection in command.Redirections.Where(r => r.IsHereString))
            {
                ParseNested(redirection.TargetWord.Value, redirection.TargetWord.Origin, command, fromSubstitution: false, depth);
            }

            var upstream = stage > 0 ? RecentStage(pipeline, stage - 1) : null;
            if (upstream is not null && NestedScripts.Printed(upstream) is var (printed, printedOrigin))
            {
                ParseNested(printed, printedOrigin, command, fromSubstitution: false, depth);
            }
        }

        EmitFindActions(command, depth);
    }

    // The command at a stage of a pipeline, if it was emitted lately: the search is bounded so that a line of many
    // pipelines stays linear (a stage not among the latest commands is one with too much nested in it to matter).
    private ShellCommandBuilder? RecentStage(int pipeline, int stage)
    {
        var commands = _state.Commands;
        for (var i = commands.Count - 1; i >= Math.Max(0, commands.Count - 64); i--)
        {
            if (commands[i].Pipeline == pipeline && commands[i].Stage == stage)
            {
                return commands[i];
            }
        }

        return null;
    }

    // `find … -exec cmd {} \;` (and -execdir, -ok, -okdir) runs cmd: read it as a command of its own.
    private void EmitFindActions(ShellCommandBuilder command, int depth)
    {
        var words = command.Words;
        if (command.ProgramIndex >= words.Count || CommandPrefixes.ProgramName(words[command.ProgramIndex].Value) != "find"
            || !Deeper(depth))
        {
            return;
        }

        for (var i = command.ProgramIndex + 1; i < words.Count; i++)
        {
            if (words[i].Value.ToLowerInvariant() is not ("-exec" or "-execdir" or "-ok" or "-okdir") || i + 1 >= words.Count)
            {
                continue;
            }

            var end = i + 1;
            while (end < words.Count && words[end].Value is not (";" or "+"))
            {
                end++;
            }

            if (end > i + 1)
            {
                var action = new ShellCommandBuilder(words[i + 1].Start, command, fromSubstitution: false) { End = words[end - 1].End };
                action.Words.AddRange(words.Skip(i + 1).Take(end - i - 1));
                Emit(action, _state.NextPipeline(), 0, depth + 1);
            }

            i = end;
        }
    }

    private static bool IsReservedWord(string word) => word is
        "!" or "{" or "}" or "if" or "then" or "else" or "elif" or "fi" or "do" or "done" or "while" or "until"
        or "function" or "coproc";

    // ---------------------------------------------------------------------------------------------------------------
    // Redirections.
    // ---------------------------------------------------------------------------------------------------------------

    private bool AtRedirection()
    {
        var c = _src[_pos];
        if (c is '<' or '>')
        {
            return Peek(1) != '('; // `<(…)` and `>(…)` are process substitutions: words
        }

        if (c == '&')
        {
            return Peek(1) == '>';
        }

        if (!char.IsAsciiDigit(c))
        {
            return false;
        }

        var i = _pos;
        while (i < _src.Length && char.IsAsciiDigit(_src[i]))
        {
            i++;
        }

        return i < _src.Length && _src[i] is '<' or '>' && !(i + 1 < _src.Length && _src[i + 1] == '(');
    }

    private void ReadRedirection(ShellCommandBuilder command, int depth)
    {
        var start = _pos;
        while (_pos < _src.Length && char.IsAsciiDigit(_src[_pos]))
        {
            _pos++;
        }

        var bare = RedirectionOperators.FirstOrDefault(o => _src.AsSpan(_pos).StartsWith(o, StringComparison.Ordinal)) ?? ">";
        _pos = Math.Min(_pos + bare.Length, _src.Length);
        var op = _src[start.._pos];
        command.End = _pos;

        SkipBlanks();
        if (_pos >= _src.Length || _src[_pos] is '\n' or ';' or '|' or '&' or '(' or ')'
            || (_src[_pos] is '<' or '>' && Peek(1) != '('))
        {
            _state.Problem($"redirection '{op}' at {Map(start)} has no target");
            return;
        }

        var target = ReadWord(command, depth);
        if (target.End == target.Start)
        {
            _state.Problem($"redirection '{op}' at {Map(start)} has no target");
            return;
        }

        var redirection = new RedirectionBuilder(op, target);
        command.Redirections.Add(redirection);
        command.End = target.End;
        if (bare is "<<" or "<<-")
        {
            _hereDocuments.Add(new PendingHereDocument(redirection, target.Value, target.Quoted, bare == "<<-", command, depth));
        }
    }

    private void ReadHereDocuments()
    {
        while (_hereDocuments.Count > 0 && !_state.Aborted)
        {
            var document = _hereDocuments[0];
            _hereDocuments.RemoveAt(0);

            var bodyStart = _pos;
            var bodyEnd = _src.Length;
            while (_pos < _src.Length)
            {
                var lineEnd = _src.IndexOf('\n', _pos);
                if (lineEnd < 0)
                {
                    lineEnd = _src.Length;
                }

                var line = _src.AsSpan(_pos, lineEnd - _pos);
                if (document.StripTabs)
                {
                    line = line.TrimStart('\t');
                }

                var isDelimiter = line.SequenceEqual(document.Delimiter);
                if (isDelimiter)
                {
                    bodyEnd = _pos;
                }

                _pos = Math.Min(lineEnd + 1, _src.Length);
                if (isDelimiter)
                {
                    break;
                }
            }

            var body = _src[bodyStart..bodyEnd];
            document.Redirection.HereDocument = body;
            if (body.Length == 0 || !Deeper(document.Depth))
            {
                continue;
            }

            var origin = new int[body.Length];
            for (var i = 0; i < origin.Length; i++)
            {
                origin[i] = Map(bodyStart + i);
            }

            if (!document.QuotedDelimiter)
            {
                // An unquoted delimiter lets the body expand: `$(…)` and backquotes in it run.
                _state.Budget -= body.Length;
                var reader = new ShellParser(body, origin, _state);
                reader.ReadDoubleQuoted(new ShellWordBuilder(0), document.Command, document.Depth + 1, hereDocument: true);
            }

            if (document.Command.Emitted && NestedScripts.ReadsScriptFromInput(document.Command))
            {
                // `bash <<EOF … EOF`: the body is the script.
                ParseNested(body, origin, document.Command, fromSubstitution: false, document.Depth);
            }
            else if (document.Command.Emitted && NestedScripts.Passes(document.Command)
                     && RecentStage(document.Command.Pipeline, document.Command.Stage + 1) is { } shell
                     && NestedScripts.ReadsScriptFromInput(shell))
            {
                // `cat <<EOF | sh … EOF`: the body is the script of the shell downstream.
                ParseNested(body, origin, shell, fromSubstitution: false, document.Depth);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Words.
    // ---------------------------------------------------------------------------------------------------------------

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

    // ---------------------------------------------------------------------------------------------------------------
    // Characters.
    // ---------------------------------------------------------------------------------------------------------------

    private void AppendRaw(ShellWordBuilder word, int from, bool quoted)
    {
        for (var i = from; i < _pos && i < _src.Length; i++)
        {
            word.Add(_src[i], Map(i), quoted);
        }
    }

    private void SkipBlanks()
    {
        while (_pos < _src.Length)
        {
            if (_src[_pos] is ' ' or '\t')
            {
                _pos++;
            }
            else if (_src[_pos] == '\\' && Peek(1) == '\n')
            {
                _pos += 2;
            }
            else
            {
                return;
            }
        }
    }

    private int NextNonBlank(int from)
    {
        while (from < _src.Length && _src[from] is ' ' or '\t')
        {
            from++;
        }

        return from;
    }

    private char Peek(int ahead) => _pos + ahead < _src.Length ? _src[_pos + ahead] : NoTerminator;

    /// <summary>The position in the original line of the parser's character <paramref name="index"/>.</summary>
    private int Map(int index)
    {
        if (_origin is null)
        {
            return Math.Clamp(index, 0, _src.Length);
        }

        if (_origin.Count == 0)
        {
            return 0;
        }

        return index < 0 ? _origin[0] : index < _origin.Count ? _origin[index] : _origin[^1] + 1;
    }

    private readonly record struct PendingHereDocument(
        RedirectionBuilder Redirection,
        string Delimiter,
        bool QuotedDelimiter,
        bool StripTabs,
        ShellCommandBuilder Command,
        int Depth);
}
