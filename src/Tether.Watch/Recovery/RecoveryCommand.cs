using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace Tether.Watch;

/// <summary>
/// The recovery command the watcher runs for a stalled agent: a program and its arguments as templates, in which every
/// <c>{pid}</c> stands for the agent's pid. Exec only: the words go straight to the program, never through a shell.
/// Immutable; build one with <see cref="Parse"/> (<c>--recovery-exec</c>) or <see cref="FromFile"/>
/// (<c>--recovery-exec-file</c>).
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Parse"/> splits a line into words the way a POSIX shell splits them, and does nothing else: no
/// parameter, command or arithmetic expansion (<c>$VAR</c>, <c>$(…)</c>, backquotes), no tilde, no globbing, no
/// redirection, no pipes or lists. The rules, in full:
/// </para>
/// <list type="bullet">
/// <item>Space and tab separate words; any number of them, leading and trailing ones included.</item>
/// <item><c>'…'</c> quotes literally: every character up to the next <c>'</c> belongs to the word, a backslash too.
/// A single quote cannot appear inside single quotes (write <c>'it'\''s'</c>).</item>
/// <item><c>"…"</c> quotes with the POSIX backslash rule: inside double quotes a backslash escapes only <c>"</c>,
/// <c>\</c>, <c>$</c> and <c>`</c> (it is removed and the next character kept) and a line break (both are removed, a
/// line continuation); before any other character the backslash is kept. <c>$</c> and <c>`</c> are plain
/// characters.</item>
/// <item>Outside quotes a backslash escapes the next character whatever it is (<c>\ </c> is a space inside a word);
/// a backslash followed by a line break is a line continuation and both are removed.</item>
/// <item>Quoted and unquoted parts that touch form one word: <c>'a'"b"c</c> is <c>abc</c>; <c>''</c> is an empty
/// word.</item>
/// <item><c>; | &amp; &lt; &gt; ( ) * ? [ ] ~ # $ { }</c> are plain characters.</item>
/// <item>Refused (<see cref="RecoveryCommandFormatException"/>, with the 0-based index): an empty line, an empty first
/// word, an unclosed quote, a trailing backslash, a line break outside quotes (a shell would start a second command
/// there), a NUL character anywhere.</item>
/// </list>
/// <para>
/// <c>{pid}</c> is replaced by the agent's pid (decimal) wherever it appears in any word, the program included, by
/// <see cref="Argv"/>; quoting does not protect it (there is no way to pass a literal <c>{pid}</c>).
/// </para>
/// </remarks>
public sealed partial class RecoveryCommand
{
    /// <summary>The placeholder replaced by the agent's pid in every word.</summary>
    public const string PidPlaceholder = "{pid}";

    private const int ToStringCap = 256;

    private RecoveryCommand(ImmutableArray<string> words)
    {
        Words = words;
        Arguments = words.RemoveAt(0);
    }

    /// <summary>The program template (the first word): a path, or a name looked up on the child's <c>PATH</c>.</summary>
    public string Program => Words[0];

    /// <summary>The argument templates (every word after the first).</summary>
    public ImmutableArray<string> Arguments { get; }

    /// <summary>All word templates: the program, then the arguments.</summary>
    public ImmutableArray<string> Words { get; }

    /// <summary>True when some word holds <see cref="PidPlaceholder"/>.</summary>
    public bool UsesPid => Words.Any(w => w.Contains(PidPlaceholder, StringComparison.Ordinal));

    /// <summary>Splits <paramref name="commandLine"/> into words (see the remarks on <see cref="RecoveryCommand"/> for the exact rules).</summary>
    /// <exception cref="RecoveryCommandFormatException">The line is empty, its first word is empty, or it holds an unclosed quote, a trailing backslash, an unquoted line break or a NUL.</exception>
    public static RecoveryCommand Parse(string commandLine)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        return new RecoveryCommand(Split(commandLine, file: null, line: null));
    }

    /// <summary>
    /// The argv for a recovery of <paramref name="pid"/>: every word with each <see cref="PidPlaceholder"/> replaced by
    /// the pid in decimal. Element 0 is the program.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="pid"/> is not positive.</exception>
    public ImmutableArray<string> Argv(int pid)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pid);
        var text = pid.ToString(CultureInfo.InvariantCulture);
        var argv = ImmutableArray.CreateBuilder<string>(Words.Length);
        foreach (var word in Words)
        {
            argv.Add(word.Replace(PidPlaceholder, text, StringComparison.Ordinal));
        }

        return argv.MoveToImmutable();
    }

    /// <summary>
    /// The template as a line <see cref="Parse"/> reads back to the same words: a word with blanks, quotes or other
    /// special characters is single-quoted. For display it is capped at 256 characters and control characters are
    /// shown as <c>\xNN</c> (such a line no longer parses back exactly).
    /// </summary>
    public override string ToString()
    {
        var builder = new StringBuilder();
        foreach (var word in Words)
        {
            if (builder.Length > ToStringCap)
            {
                break;
            }

            if (builder.Length > 0)
            {
                builder.Append(' ');
            }

            AppendQuoted(builder, word);
        }

        if (builder.Length > ToStringCap)
        {
            builder.Length = ToStringCap - 1;
            builder.Append('…');
        }

        return builder.ToString();
    }

    private static ImmutableArray<string> Split(string text, string? file, int? line)
    {
        if (text.IndexOf('\0', StringComparison.Ordinal) is var nul and >= 0)
        {
            throw new RecoveryCommandFormatException(RecoveryCommandError.NulCharacter, nul, file, line);
        }

        var words = ImmutableArray.CreateBuilder<string>();
        var word = new StringBuilder();
        var inWord = false;
        var firstWordStart = -1;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c is ' ' or '\t')
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }

                i++;
                continue;
            }

            if (c is '\n' or '\r')
            {
                throw new RecoveryCommandFormatException(RecoveryCommandError.LineBreak, i, file, line);
            }

            if (c == '\\' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                i += 2; // a line continuation: removed, and it neither starts nor ends a word
                continue;
            }

            if (!inWord)
            {
                inWord = true;
                if (firstWordStart < 0)
                {
                    firstWordStart = i;
                }
            }

            switch (c)
            {
                case '\'':
                    var close = text.IndexOf('\'', i + 1);
                    if (close < 0)
                    {
                        throw new RecoveryCommandFormatException(RecoveryCommandError.UnterminatedSingleQuote, i, file, line);
                    }

                    word.Append(text, i + 1, close - i - 1);
                    i = close + 1;
                    break;

                case '"':
                    i = ReadDoubleQuoted(text, i, word, file, line);
                    break;

                case '\\':
                    if (i + 1 >= text.Length)
                    {
                        throw new RecoveryCommandFormatException(RecoveryCommandError.TrailingBackslash, i, file, line);
                    }

                    word.Append(text[i + 1]);
                    i += 2;
                    break;

                default:
                    word.Append(c);
                    i++;
                    break;
            }
        }

        if (inWord)
        {
            words.Add(word.ToString());
        }

        if (words.Count == 0)
        {
            throw new RecoveryCommandFormatException(RecoveryCommandError.Empty, 0, file, line);
        }

        if (words[0].Length == 0)
        {
            throw new RecoveryCommandFormatException(RecoveryCommandError.EmptyProgram, firstWordStart, file, line);
        }

        return words.ToImmutable();
    }

    /// <summary>Reads a double-quoted part starting at the quote at <paramref name="open"/>; returns the index after the closing quote.</summary>
    private static int ReadDoubleQuoted(string text, int open, StringBuilder word, string? file, int? line)
    {
        var i = open + 1;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '"')
            {
                return i + 1;
            }

            if (c == '\\' && i + 1 < text.Length)
            {
                var next = text[i + 1];
                if (next is '"' or '\\' or '$' or '`')
                {
                    word.Append(next);
                    i += 2;
                    continue;
                }

                if (next == '\n')
                {
                    i += 2;
                    continue;
                }
            }

            word.Append(c);
            i++;
        }

        throw new RecoveryCommandFormatException(RecoveryCommandError.UnterminatedDoubleQuote, open, file, line);
    }

    private static void AppendQuoted(StringBuilder builder, string word)
    {
        var needsQuotes = word.Length == 0;
        foreach (var ch in word)
        {
            if (char.IsWhiteSpace(ch) || char.IsControl(ch) || ch is '\'' or '"' or '\\' or '$' or '`' or '|' or '&' or ';' or '<' or '>' or '(' or ')' or '*' or '?' or '[' or ']' or '#' or '~' or '!')
            {
                needsQuotes = true;
                break;
            }
        }

        if (!needsQuotes)
        {
            builder.Append(word);
            return;
        }

        builder.Append('\'');
        foreach (var ch in word)
        {
            if (ch == '\'')
            {
                builder.Append("'\\''");
            }
            else if (char.IsControl(ch))
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\x{(int)ch:x2}");
            }
            else
            {
                builder.Append(ch);
            }
        }

        builder.Append('\'');
    }
}
