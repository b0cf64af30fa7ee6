namespace Tether.Sessions;

// Redirections, and here-documents whose bodies arrive after the next newline.
internal sealed partial class ShellParser
{
    // Longest first, so that `>>` is not read as `>`.
    private static readonly string[] RedirectionOperators = ["&>>", "&>", "<<<", "<<-", "<<", "<>", "<&", ">>", ">|", ">&", "<", ">"];

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
                var reader = new ShellParser(body, origin, _state, _expandNested);
                reader.ReadDoubleQuoted(new ShellWordBuilder(0), document.Command, document.Depth + 1, hereDocument: true);
            }

            if (_expandNested && NestedCommandExpander.HereDocumentScript(document.Command, body, origin, _state) is { } script)
            {
                // `bash <<EOF … EOF`, `cat <<EOF | sh … EOF`: the body is the script of a shell.
                ParseNested(script.Text, script.Origin, script.Runner, fromSubstitution: false, document.Depth);
            }
        }
    }

    private readonly record struct PendingHereDocument(
        RedirectionBuilder Redirection,
        string Delimiter,
        bool QuotedDelimiter,
        bool StripTabs,
        ShellCommandBuilder Command,
        int Depth);
}
