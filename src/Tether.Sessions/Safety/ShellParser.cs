namespace Tether.Sessions;

/// <summary>
/// Reads shell text the way bash tokenises it — far enough to find every simple command, never to run or expand
/// anything. Syntax only: words, quoting, operators, redirections and here-documents, subshells, groups, and command
/// and process substitutions (whose text is read as commands of its own). What a program does with its arguments —
/// that <c>sudo</c> runs its operand, <c>bash -c</c> its script, <c>find -exec</c> a command — is the business of
/// <see cref="NestedCommandExpander"/>, which the parser consults as it completes each command when asked to.
/// One parser reads one text: the line, or a script nested in it (a substitution, an unquoted here-document body, a
/// script the expander found). Nested texts carry, for each character, its position in the original line, so every
/// command can say where it is.
/// </summary>
/// <remarks>Never throws and never loops in place: each turn of every loop consumes at least one character, depth is
/// capped at <see cref="MaxDepth"/> and re-reading at <see cref="ShellParseState.Budget"/>; past either the parse is
/// abandoned with a problem, keeping what was found. The parser is split by concern into partial files: lists and
/// commands here, redirections and here-documents (<c>ShellParser.Redirections.cs</c>), words and quoting
/// (<c>ShellParser.Words.cs</c>), and ANSI-C quoting (<c>ShellParser.AnsiC.cs</c>).</remarks>
internal sealed partial class ShellParser
{
    /// <summary>How deep subshells, substitutions and nested scripts may go before the rest is not read.</summary>
    public const int MaxDepth = 24;

    private const char NoTerminator = '\0';

    private readonly string _src;
    private readonly IReadOnlyList<int>? _origin;
    private readonly ShellParseState _state;
    private readonly bool _expandNested;
    private readonly List<PendingHereDocument> _hereDocuments = [];
    private int _pos;

    private ShellParser(string src, IReadOnlyList<int>? origin, ShellParseState state, bool expandNested)
    {
        _src = src;
        _origin = origin;
        _state = state;
        _expandNested = expandNested;
    }

    /// <summary>Reads the state's line, adding what it finds to the state.</summary>
    /// <param name="state">The line, and where the commands found go.</param>
    /// <param name="expandNested">True to run <see cref="NestedCommandExpander"/> on each command as it is completed, so
    /// that prefixes are taken off and the scripts and commands it runs are read too; false for the syntax alone (each
    /// command's words as written, nothing read inside <c>bash -c '…'</c>).</param>
    public static void ParseLine(ShellParseState state, bool expandNested = true) =>
        new ShellParser(state.Line, null, state, expandNested).ParseList(NoTerminator, parent: null, fromSubstitution: false, depth: 0);

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

        new ShellParser(text, origin, _state, _expandNested).ParseList(NoTerminator, parent, fromSubstitution, depth + 1);
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
        if (_expandNested)
        {
            NestedCommandExpander.TakeOffPrefixes(command);
        }

        _state.Commands.Add(command);
        if (!_expandNested)
        {
            return;
        }

        // Read now, before the rest of this text, so that what the command runs is numbered and budgeted in line order.
        // (A here-document's body is read at the next newline, in ReadHereDocuments.)
        foreach (var script in NestedCommandExpander.Scripts(command, _state))
        {
            ParseNested(script.Text, script.Origin, script.Runner, fromSubstitution: false, depth);
        }

        if (NestedCommandExpander.FindActions(command) is { } actions && Deeper(depth))
        {
            foreach (var action in actions)
            {
                Emit(action, _state.NextPipeline(), 0, depth + 1);
            }
        }
    }

    private static bool IsReservedWord(string word) => word is
        "!" or "{" or "}" or "if" or "then" or "else" or "elif" or "fi" or "do" or "done" or "while" or "until"
        or "function" or "coproc";

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
}
