using System.Globalization;
using System.Text;

namespace Tether.Sessions;

/// <summary>Quoting for bash, and one-line text for comments.</summary>
internal static class ShellText
{
    /// <summary>
    /// <paramref name="word"/> as one bash word: bare when it holds only characters no shell treats specially,
    /// in single quotes (a quote inside written <c>'\''</c>) otherwise, and as <c>$'…'</c> when it holds control
    /// characters, so the word stays on one line.
    /// </summary>
    public static string Quote(string word)
    {
        if (word.Length > 0 && word.All(IsBare))
        {
            return word;
        }

        if (word.Any(c => char.IsControl(c) && c != '\t'))
        {
            return AnsiC(word);
        }

        return "'" + word.Replace("'", @"'\''", StringComparison.Ordinal) + "'";
    }

    /// <summary>
    /// <paramref name="text"/> as a bash <c>$'…'</c> string on one line: backslash, quote and control characters
    /// escaped, everything else (unicode included) as is. <c>eval</c> of it runs the text exactly as typed.
    /// </summary>
    public static string AnsiC(string text)
    {
        var quoted = new StringBuilder(text.Length + 8).Append("$'");
        foreach (var c in text)
        {
            switch (c)
            {
                case '\\': quoted.Append(@"\\"); break;
                case '\'': quoted.Append(@"\'"); break;
                case '\n': quoted.Append(@"\n"); break;
                case '\t': quoted.Append(@"\t"); break;
                case '\r': quoted.Append(@"\r"); break;
                case < ' ' or '\x7f': quoted.Append(@"\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture)); break;
                default: quoted.Append(c); break;
            }
        }

        return quoted.Append('\'').ToString();
    }

    /// <summary>
    /// <paramref name="text"/> fit for a one-line comment in any of the formats: control characters and the line
    /// breaks YAML 1.1 knows (U+0085, U+2028, U+2029) become spaces, so nothing can escape the comment.
    /// </summary>
    public static string OneLine(string text)
    {
        var line = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            line.Append(char.IsControl(c) || c is '\u2028' or '\u2029' ? ' ' : c);
        }

        return line.ToString();
    }

    /// <summary>The first line of <paramref name="text"/>, cut to <paramref name="limit"/> characters with an ellipsis.</summary>
    public static string Headline(string text, int limit)
    {
        var firstLine = text.AsSpan().Trim();
        var more = false;
        var newline = firstLine.IndexOfAny('\n', '\r');
        if (newline >= 0)
        {
            firstLine = firstLine[..newline].TrimEnd();
            more = true;
        }

        if (firstLine.Length > limit)
        {
            var cut = limit;
            if (char.IsHighSurrogate(firstLine[cut - 1]))
            {
                cut--; // never split a surrogate pair
            }

            firstLine = firstLine[..cut].TrimEnd();
            more = true;
        }

        return OneLine(firstLine.ToString()) + (more ? " …" : "");
    }

    private static bool IsBare(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '/' or '-' or '+' or '=' or ':' or ',' or '@' or '%';
}
