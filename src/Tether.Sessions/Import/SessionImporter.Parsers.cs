using System.Globalization;
using System.Text;

namespace Tether.Sessions;

// The readers of each kind of file, line by line.
public static partial class SessionImporter
{
    /// <summary>bash: <c>#EPOCH</c> lines time (and delimit) the entry after them; without any, one command per line.</summary>
    private static List<Entry> ParseBash(List<string> lines)
    {
        var entries = new List<Entry>();
        var timed = lines.Any(line => BashTimestamp().IsMatch(line));
        DateTimeOffset? time = null;
        var pending = new List<string>();

        void Flush()
        {
            while (pending.Count > 0 && pending[^1].Trim().Length == 0)
            {
                pending.RemoveAt(pending.Count - 1);
            }

            if (pending.Count > 0)
            {
                entries.Add(new Entry(string.Join('\n', pending), time, null));
            }

            pending.Clear();
        }

        foreach (var line in lines)
        {
            if (timed && BashTimestamp().Match(line) is { Success: true } match)
            {
                Flush();
                time = FromUnix(match.Groups[1].Value);
                continue;
            }

            if (timed && time is not null)
            {
                if (pending.Count > 0 || line.Trim().Length > 0)
                {
                    pending.Add(line);
                }
            }
            else if (line.Trim().Length > 0)
            {
                entries.Add(new Entry(line, null, null));
            }
        }

        Flush();
        return entries;
    }

    /// <summary>zsh: <c>: START:ELAPSED;command</c> (extended) or plain lines; a trailing backslash continues the
    /// command on the next line (zsh's way of storing a line break).</summary>
    private static List<Entry> ParseZsh(List<string> lines)
    {
        var entries = new List<Entry>();
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            DateTimeOffset? started = null;
            TimeSpan? duration = null;
            if (ZshExtended().Match(line) is { Success: true } match)
            {
                started = FromUnix(match.Groups[1].Value);
                duration = long.TryParse(match.Groups[2].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var elapsed) && elapsed < 100L * 365 * 24 * 3600
                    ? TimeSpan.FromSeconds(elapsed)
                    : null;
                line = line[match.Length..];
            }

            var command = new StringBuilder(line);
            while (command.Length > 0 && command[^1] == '\\' && i + 1 < lines.Count)
            {
                command.Length--;
                command.Append('\n').Append(lines[++i]);
            }

            var text = command.ToString();
            if (text.Trim().Length > 0)
            {
                entries.Add(new Entry(text, started, started is null ? null : duration));
            }
        }

        return entries;
    }

    /// <summary>fish: <c>- cmd: …</c> starts an entry, <c>  when: EPOCH</c> times it; <c>paths:</c> are ignored.</summary>
    private static List<Entry> ParseFish(List<string> lines)
    {
        var entries = new List<Entry>();
        string? command = null;
        DateTimeOffset? when = null;

        void Flush()
        {
            if (command is { } text && text.Trim().Length > 0)
            {
                entries.Add(new Entry(text, when, null));
            }

            command = null;
            when = null;
        }

        foreach (var line in lines)
        {
            if (line.StartsWith("- cmd:", StringComparison.Ordinal))
            {
                Flush();
                command = UnescapeFish(line["- cmd:".Length..].TrimStart(' '));
            }
            else if (command is not null && line.TrimStart().StartsWith("when:", StringComparison.Ordinal))
            {
                when = FromUnix(line.TrimStart()["when:".Length..].Trim());
            }
        }

        Flush();
        return entries;
    }

    /// <summary>fish's history escapes: <c>\n</c> is a line break, <c>\\</c> a backslash; anything else stays.</summary>
    internal static string UnescapeFish(string text)
    {
        var result = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] is 'n' or '\\')
            {
                result.Append(text[i + 1] == 'n' ? '\n' : '\\');
                i++;
            }
            else
            {
                result.Append(text[i]);
            }
        }

        return result.ToString();
    }

    /// <summary>A script: one command per logical line (backslash continuations and here-documents included), without
    /// the <c>#!</c> line, blank lines and comment lines. The shell is read from the <c>#!</c> line.</summary>
    private static (List<Entry> Entries, string? Shell) ParseScript(List<string> lines)
    {
        string? shell = null;
        var entries = new List<Entry>();
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (i == 0 && line.StartsWith("#!", StringComparison.Ordinal))
            {
                shell = ShellOf(line);
                continue;
            }

            var trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed.StartsWith('#'))
            {
                continue;
            }

            var command = new StringBuilder(line.TrimEnd());
            var delimiters = new List<(string Word, bool StripTabs)>();
            var current = line;
            while (true)
            {
                delimiters.AddRange(HereDocuments(current));
                if (!EndsWithContinuation(current) || i + 1 >= lines.Count)
                {
                    break;
                }

                current = lines[++i];
                command.Append('\n').Append(current);
            }

            foreach (var (word, stripTabs) in delimiters)
            {
                var end = -1;
                for (var j = i + 1; j < lines.Count; j++)
                {
                    var body = stripTabs ? lines[j].TrimStart('\t') : lines[j];
                    if (body == word)
                    {
                        end = j;
                        break;
                    }
                }

                if (end < 0)
                {
                    break; // no terminator: not a here-document after all (say, a shift in arithmetic); keep the line alone
                }

                for (var j = i + 1; j <= end; j++)
                {
                    command.Append('\n').Append(lines[j]);
                }

                i = end;
            }

            entries.Add(new Entry(command.ToString().Trim(), null, null));
        }

        return (entries, shell);
    }

    private static string? ShellOf(string shebang)
    {
        var words = shebang[2..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0)
        {
            return null;
        }

        var program = Path.GetFileName(words[0]);
        if (program == "env")
        {
            program = words.Skip(1).FirstOrDefault(w => !w.StartsWith('-')) ?? "";
        }

        return program is "bash" or "zsh" or "fish" ? program : null;
    }

    private static bool EndsWithContinuation(string line)
    {
        var count = 0;
        for (var i = line.Length - 1; i >= 0 && line[i] == '\\'; i--)
        {
            count++;
        }

        return count % 2 == 1;
    }

    /// <summary>The here-document delimiters a line opens (<c>&lt;&lt;EOF</c>, <c>&lt;&lt;-'EOF'</c>, <c>&lt;&lt;"EOF"</c>), in
    /// order, outside quotes and comments; <c>&lt;&lt;&lt;</c> (a here-string) is not one.</summary>
    internal static List<(string Word, bool StripTabs)> HereDocuments(string line)
    {
        var result = new List<(string, bool)>();
        var quote = '\0';
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote != '\0')
            {
                if (c == '\\' && quote == '"')
                {
                    i++;
                }
                else if (c == quote)
                {
                    quote = '\0';
                }

                continue;
            }

            switch (c)
            {
                case '\\':
                    i++;
                    continue;
                case '\'' or '"':
                    quote = c;
                    continue;
                case '#' when i == 0 || char.IsWhiteSpace(line[i - 1]):
                    return result;
                case '<' when i + 1 < line.Length && line[i + 1] == '<' && (i + 2 >= line.Length || line[i + 2] != '<') && (i == 0 || line[i - 1] != '<'):
                    var j = i + 2;
                    var stripTabs = j < line.Length && line[j] == '-';
                    if (stripTabs)
                    {
                        j++;
                    }

                    while (j < line.Length && line[j] is ' ' or '\t')
                    {
                        j++;
                    }

                    var word = new StringBuilder();
                    while (j < line.Length && !char.IsWhiteSpace(line[j]) && line[j] is not (';' or '|' or '&' or '<' or '>' or '(' or ')'))
                    {
                        if (line[j] is '\'' or '"')
                        {
                            var close = line.IndexOf(line[j], j + 1);
                            if (close < 0)
                            {
                                break;
                            }

                            word.Append(line, j + 1, close - j - 1);
                            j = close + 1;
                        }
                        else
                        {
                            if (line[j] == '\\')
                            {
                                j++;
                                if (j >= line.Length)
                                {
                                    break;
                                }
                            }

                            word.Append(line[j++]);
                        }
                    }

                    if (word.Length > 0 && (char.IsLetter(word[0]) || word[0] is '_' or '!' or '-' or '.'))
                    {
                        result.Add((word.ToString(), stripTabs));
                    }

                    i = j - 1;
                    continue;
            }
        }

        return result;
    }
}
