using System.Globalization;
using System.Text;

namespace Tether.Sessions;

/// <summary>
/// YAML scalars for any text: plain when that is unambiguous, single-quoted when the text is one printable line,
/// a literal block for printable multi-line text, double-quoted with escapes for anything else. The result parses
/// back to exactly the given string under YAML 1.1 and 1.2 parsers alike.
/// </summary>
internal static class YamlText
{
    // Plain scalars that YAML 1.1 (PyYAML, older GitLab and GitHub parsers) reads as booleans or null.
    private static readonly HashSet<string> Typed = new(StringComparer.OrdinalIgnoreCase) { "y", "n", "yes", "no", "true", "false", "on", "off", "null", "~" };

    /// <summary>A scalar on the current line (after <c>key: </c> or <c>- </c>).</summary>
    public static string Inline(string value)
    {
        if (IsPlain(value))
        {
            return value;
        }

        if (value.Length > 0 && value.All(c => c != '\n' && IsPrintable(c)) && !HasLoneSurrogate(value))
        {
            return "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
        }

        return DoubleQuoted(value);
    }

    /// <summary>
    /// A literal block scalar (<c>|</c>, <c>|-</c> or <c>|+</c> to keep the trailing line breaks exactly) whose lines
    /// are indented <paramref name="parentIndent"/> + 2 spaces, with an indentation indicator when the first line
    /// starts with a space (YAML would take that space for indentation otherwise). Falls back to
    /// <see cref="DoubleQuoted"/> when the text holds characters a block cannot carry (control characters, a carriage
    /// return, U+2028…) or starts with a line of spaces only. The returned text starts with the indicator and has no
    /// final line break.
    /// </summary>
    public static string Block(string value, int parentIndent)
    {
        var body = value.TrimEnd('\n');
        var trailingBreaks = value.Length - body.Length;
        if (body.Length == 0 || !value.All(c => c == '\n' || IsPrintable(c)) || HasLoneSurrogate(value))
        {
            return DoubleQuoted(value);
        }

        var lines = body.Split('\n');
        if (HasLeadingSpacesOnlyLine(lines))
        {
            // YAML allows it with an indentation indicator, but YamlDotNet (which GitHub's runner parses with) refuses it.
            return DoubleQuoted(value);
        }

        var chomping = trailingBreaks switch { 0 => "-", 1 => "", _ => "+" };
        var header = "|" + (NeedsIndentationIndicator(lines) ? "2" : "") + chomping;
        var indent = new string(' ', parentIndent + 2);
        var block = new StringBuilder(header);
        foreach (var line in lines)
        {
            block.Append('\n');
            if (line.Length > 0)
            {
                block.Append(indent).Append(line);
            }
        }

        for (var i = 1; i < trailingBreaks; i++)
        {
            block.Append('\n'); // kept by "|+"
        }

        return block.ToString();
    }

    /// <summary>A double-quoted scalar: every character YAML could misread is escaped, the rest kept (unicode included).</summary>
    /// <exception cref="UnexportableSessionException">The text holds a lone surrogate (it is not valid Unicode).</exception>
    public static string DoubleQuoted(string value)
    {
        if (HasLoneSurrogate(value))
        {
            throw new UnexportableSessionException("The session holds text that is not valid Unicode (a lone surrogate), which YAML cannot carry.");
        }

        var quoted = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': quoted.Append("\\\""); break;
                case '\\': quoted.Append(@"\\"); break;
                case '\0': quoted.Append(@"\0"); break;
                case '\t': quoted.Append(@"\t"); break;
                case '\n': quoted.Append(@"\n"); break;
                case '\r': quoted.Append(@"\r"); break;
                case '\x1b': quoted.Append(@"\e"); break;
                case '\u0085': quoted.Append(@"\N"); break;
                case '\u2028': quoted.Append(@"\L"); break;
                case '\u2029': quoted.Append(@"\P"); break;
                case < ' ' or (>= '\x7f' and <= '\x9f'):
                    quoted.Append(@"\x").Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
                    break;
                case '\uFEFF' or '\uFFFE' or '\uFFFF':
                    quoted.Append(@"\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    break;
                default: quoted.Append(c); break;
            }
        }

        return quoted.Append('"').ToString();
    }

    /// <summary>A comment line's text (a YAML comment ends at any line break, U+2028 included for YAML 1.1).</summary>
    public static string Comment(string text) => "# " + ShellText.OneLine(text);

    /// <summary>
    /// YAML takes a block's indentation from its first non-empty line: spaces leading that line would be read as
    /// indentation without an explicit indicator.
    /// </summary>
    private static bool NeedsIndentationIndicator(string[] lines) => lines.FirstOrDefault(l => l.Length > 0) is { } first && first[0] == ' ';

    /// <summary>A line of spaces only before the first line with anything else.</summary>
    private static bool HasLeadingSpacesOnlyLine(string[] lines)
    {
        foreach (var line in lines)
        {
            if (line.Length > 0)
            {
                return line.All(c => c == ' ');
            }
        }

        return false;
    }

    /// <summary>
    /// True for text that reads back the same as a plain scalar under YAML 1.1 and 1.2, in block context: printable
    /// ASCII on one line, starting with a letter, <c>_</c>, <c>/</c> or <c>./</c> (never an indicator, a digit, a
    /// sign or a dot, so never a number or <c>.inf</c>), no <c>: </c>, no <c> #</c>, no final <c>:</c>, no
    /// surrounding spaces, and not a word YAML 1.1 reads as a boolean or null. Quotes, <c>$</c>, brackets and commas
    /// inside are fine: they are indicators only at the start or inside flow collections, which we never write.
    /// </summary>
    private static bool IsPlain(string value)
    {
        if (value.Length == 0
            || !(char.IsAsciiLetter(value[0]) || value[0] is '_' or '/' || value.StartsWith("./", StringComparison.Ordinal))
            || value[^1] is ' ' or ':'
            || Typed.Contains(value))
        {
            return false;
        }

        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c < ' ' || c > '~'
                || (c == ':' && value[i + 1] == ' ')
                || (c == '#' && value[i - 1] == ' '))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>YAML's printable set (c-printable) minus the characters some parser reads as a line break or a byte order mark.</summary>
    private static bool IsPrintable(char c) =>
        c == '\t'
        || (c >= ' ' && c <= '~')
        || (c >= '\u00a0' && c <= '\ufffd' && c is not '\u2028' and not '\u2029' and not '\ufeff');

    private static bool HasLoneSurrogate(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(value[i]))
            {
                return true;
            }
        }

        return false;
    }
}
