using System.Globalization;
using System.Text;

namespace Tether.Supervisor;

/// <summary>
/// Reads an <c>env_file</c> (and the <c>.env</c> beside a Procfile): <c>KEY=VALUE</c> lines, optionally prefixed by
/// <c>export</c>; blank lines and <c>#</c> comments skipped; a value may be <c>"double quoted"</c> (with <c>\n</c>,
/// <c>\t</c>, <c>\"</c> and <c>\\</c> escapes), <c>'single quoted'</c> (taken as is) or bare (trimmed, a <c> #</c> starts a
/// comment). Values are secrets: no error ever shows one, only the line number and the key.
/// </summary>
internal static class EnvFile
{
    /// <summary>The largest env file read.</summary>
    public const int MaxBytes = 1024 * 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Reads the variables of the file at <paramref name="path"/> into <paramref name="into"/> (later lines win);
    /// returns the problems found, each one line that names the file's line, or an empty list.
    /// </summary>
    public static List<string> Read(string path, string shownPath, IDictionary<string, string> into)
    {
        string text;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                return [Directory.Exists(path)
                    ? $"env file '{shownPath}' is a directory; name a file of KEY=VALUE lines."
                    : $"env file '{shownPath}' does not exist (looked at {path}); create it or remove it from env_file."];
            }

            if (info.Length > MaxBytes)
            {
                return [string.Create(CultureInfo.InvariantCulture, $"env file '{shownPath}' is larger than {MaxBytes / 1024 / 1024} MiB; an env file holds KEY=VALUE lines, so keep large data in files the service reads.")];
            }

            text = StrictUtf8.GetString(File.ReadAllBytes(path));
        }
        catch (DecoderFallbackException)
        {
            return [$"env file '{shownPath}' is not valid UTF-8; save it as UTF-8."];
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return [$"env file '{shownPath}' cannot be read ({exception.Message.ReplaceLineEndings(" ")}); check its permissions."];
        }

        return Parse(text, shownPath, into);
    }

    /// <summary>Parses env file text; see <see cref="Read"/>.</summary>
    public static List<string> Parse(string text, string shownPath, IDictionary<string, string> into)
    {
        var problems = new List<string>();
        var lineNumber = 0;
        // Lines end at \n only (a \r before it is trimmed), so line numbers match what an editor shows.
        foreach (var rawLine in text.Split('\n'))
        {
            lineNumber++;
            var line = rawLine.AsSpan().Trim();
            if (line.IsEmpty || line[0] == '#')
            {
                continue;
            }

            if (line.StartsWith("export ", StringComparison.Ordinal) || line.StartsWith("export\t", StringComparison.Ordinal))
            {
                line = line[7..].TrimStart();
            }

            var equals = line.IndexOf('=');
            var key = equals < 0 ? line.ToString() : line[..equals].TrimEnd().ToString();
            if (equals < 0 || !IsName(key))
            {
                problems.Add(equals < 0
                    ? string.Create(CultureInfo.InvariantCulture, $"env file '{shownPath}' line {lineNumber} is not KEY=VALUE; write one variable per line (or start the line with # for a comment).")
                    : string.Create(CultureInfo.InvariantCulture, $"env file '{shownPath}' line {lineNumber}: '{ConfigScalar.Shorten(key)}' is not a variable name; use letters, digits and _, not starting with a digit."));
                continue;
            }

            if (!TryValue(line[(equals + 1)..].TrimStart(), out var value))
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture,
                    $"env file '{shownPath}' line {lineNumber}: the value of {key} has an unclosed quote or text after its closing quote; close the quote on the same line."));
                continue;
            }

            into[key] = value;
        }

        return problems;
    }

    /// <summary>True for a portable variable name: letters, digits and <c>_</c>, not starting with a digit.</summary>
    public static bool IsName(string name)
    {
        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryValue(ReadOnlySpan<char> raw, out string value)
    {
        value = "";
        if (raw.IsEmpty)
        {
            return true;
        }

        if (raw[0] == '\'')
        {
            var close = raw[1..].IndexOf('\'');
            if (close < 0 || !IsRestEmpty(raw[(close + 2)..]))
            {
                return false;
            }

            value = raw.Slice(1, close).ToString();
            return true;
        }

        if (raw[0] == '"')
        {
            var text = new StringBuilder();
            for (var i = 1; i < raw.Length; i++)
            {
                var c = raw[i];
                if (c == '"')
                {
                    value = text.ToString();
                    return IsRestEmpty(raw[(i + 1)..]);
                }

                if (c == '\\' && i + 1 < raw.Length)
                {
                    i++;
                    text.Append(raw[i] switch { 'n' => '\n', 't' => '\t', 'r' => '\r', _ => raw[i] });
                    continue;
                }

                text.Append(c);
            }

            return false;
        }

        // A bare value ends where a comment starts: " #" (a '#' inside a word, as in a URL fragment, is kept).
        var comment = raw.IndexOf(" #");
        var tab = raw.IndexOf("\t#");
        var cut = comment < 0 ? tab : tab < 0 ? comment : Math.Min(comment, tab);
        value = (cut < 0 ? raw : raw[..cut]).TrimEnd().ToString();
        return true;
    }

    private static bool IsRestEmpty(ReadOnlySpan<char> rest)
    {
        var trimmed = rest.Trim();
        return trimmed.IsEmpty || trimmed[0] == '#';
    }
}
