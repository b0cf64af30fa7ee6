using System.Text;

namespace Tether.Supervisor;

/// <summary>
/// Splits a one-line command written as a plain string (<c>command: python3 -m http.server 8000</c>) into words the
/// way a shell would, but only when no shell would do anything more: quotes and backslashes are honoured, and any
/// character that would make a shell pipe, redirect, expand, glob, run in the background or assign a variable is
/// refused, so that a string never silently means something different from what <c>/bin/sh -c</c> would do with it.
/// </summary>
internal static class ShellWords
{
    // Outside quotes these make /bin/sh do something besides splitting words: pipes and lists (| & ;), redirection
    // (< >), expansion ($ `), subshells (( )), globbing (* ? [ ]), brace groups ({ }), and a line break.
    private const string ShellSyntax = "|&;<>$`()*?[]{}\n";

    /// <summary>
    /// The words of <paramref name="text"/>; false with <paramref name="syntax"/> naming the first shell construct
    /// found (or why it cannot be split) when it needs a shell.
    /// </summary>
    public static bool TrySplit(string text, out List<string> words, out string syntax)
    {
        var found = new List<string>();
        words = found;
        syntax = "";
        var word = new StringBuilder();
        var inWord = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case ' ' or '\t':
                    Finish();
                    continue;
                case '\'':
                    var close = text.IndexOf('\'', i + 1);
                    if (close < 0)
                    {
                        syntax = "an unclosed ' quote";
                        return false;
                    }

                    word.Append(text, i + 1, close - i - 1);
                    inWord = true;
                    i = close;
                    continue;
                case '"':
                    i++;
                    while (i < text.Length && text[i] != '"')
                    {
                        if (text[i] is '$' or '`')
                        {
                            syntax = $"'{text[i]}' inside double quotes";
                            return false;
                        }

                        if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] is '"' or '\\')
                        {
                            i++;
                        }

                        word.Append(text[i]);
                        i++;
                    }

                    if (i >= text.Length)
                    {
                        syntax = "an unclosed \" quote";
                        return false;
                    }

                    inWord = true;
                    continue;
                case '\\':
                    if (i + 1 >= text.Length)
                    {
                        syntax = "a trailing backslash";
                        return false;
                    }

                    word.Append(text[++i]);
                    inWord = true;
                    continue;
                case '#' or '~' when !inWord:
                    syntax = c == '#' ? "'#' (a comment)" : "'~' (home directory expansion)";
                    return false;
                case '=' when found.Count == 0 && IsVariableName(word):
                    syntax = $"a variable assignment '{word}='; set variables with env:";
                    return false;
            }

            if (ShellSyntax.Contains(c, StringComparison.Ordinal))
            {
                syntax = c == '\n' ? "a line break" : $"'{c}'";
                return false;
            }

            word.Append(c);
            inWord = true;
        }

        Finish();
        if (found.Count == 0)
        {
            syntax = "no words at all";
            return false;
        }

        return true;

        void Finish()
        {
            if (inWord)
            {
                found.Add(word.ToString());
                word.Clear();
                inWord = false;
            }
        }
    }

    private static bool IsVariableName(StringBuilder word)
    {
        if (word.Length == 0 || !(char.IsAsciiLetter(word[0]) || word[0] == '_'))
        {
            return false;
        }

        for (var i = 1; i < word.Length; i++)
        {
            if (!(char.IsAsciiLetterOrDigit(word[i]) || word[i] == '_'))
            {
                return false;
            }
        }

        return true;
    }
}
