using System.Collections.Immutable;
using System.Text.RegularExpressions;

namespace Tether;

/// <summary>
/// A <see cref="RedactionPolicy"/>'s rules compiled for free text: one argument, a line of output, a shell command
/// line. Each rule masks only the secret part of what it matches, and a value that already is the mask is left alone,
/// so applying the rules to masked text changes nothing (a cassette's stored arguments match a live call's).
/// </summary>
internal sealed partial class TextRules
{
    /// <summary>The header and URL rules <see cref="RedactionPolicy.Default"/> starts with.</summary>
    /// <remarks>The fixed rules are generated at build time: parsing them at run time cost every process that
    /// describes a command (a one-shot <c>tether run</c> among them) a fraction of a millisecond.</remarks>
    public static readonly Regex[] BuiltInPatterns = [AuthorizationHeader(), ApiKeyHeader(), UrlCredentials()];

    // A value is quoted ('…' or "…", as a shell line or a log writes it; the quotes stay) or runs up to the next blank
    // or quote. In a line of text it also stops at shell punctuation (; & | and a closing parenthesis), so
    // "--pass x; next" keeps "; next" and "(mysql -p x)" keeps its ")"; in one
    // argument those are part of the value ("--password=a;b" is one password), except '&' after NAME=, which separates
    // the parameters of a URL query ("?access_token=x&page=2").
    private const string LineValue = """(?:'(?<value>[^']*)'|"(?<value>[^"]*)"|(?<value>[^\s"';&|)]+))""";
    private const string WordValue = """(?:'(?<value>[^']*)'|"(?<value>[^"]*)"|(?<value>[^\s"']+))""";
    private const string WordAssignmentValue = """(?:'(?<value>[^']*)'|"(?<value>[^"]*)"|(?<value>[^\s"'&]+))""";

    // NAME=value, where NAME is a whole word (not the tail of --some-flag or a path).
    private const string AssignmentName = """(?<![\w.\-/$])(?<name>[A-Za-z_][A-Za-z0-9_]*)=""";

    private static readonly Regex LineAssignment = LineAssignmentRule();
    private static readonly Regex WordAssignment = WordAssignmentRule();

    private readonly RedactionPolicy _policy;
    // Text that cannot match a rule is the common case (most arguments, most output lines): a cheap substring test
    // decides whether a rule's regex runs at all, which keeps Command.ToString() and output masking fast.
    private static readonly string[][] BuiltInTriggers = [["authorization"], ["key", "token"], ["://"]];

    // A policy's own rules are built on the first text that could match them.
    private readonly Lazy<Regex>? _lineFlags;
    private readonly Lazy<Regex>? _wordFlags;
    private readonly string _flagsTrigger = "";
    private readonly Lazy<Regex>? _passwordFlag;
    private readonly (Regex Pattern, bool HasSecretGroup, string[]? Triggers)[] _patterns;

    public TextRules(RedactionPolicy policy)
    {
        _policy = policy;
        if (policy.Flags.Length > 0)
        {
            var flags = policy.Flags;
            _lineFlags = new(() => new Regex("(?<![\\w-])(?:" + Alternatives(flags) + ")(?<sep>[= ]+)" + LineValue, RegexOptions.CultureInvariant));
            _wordFlags = new(() => new Regex("(?<![\\w-])(?:" + Alternatives(flags) + ")(?<sep>[= ]+)" + WordValue, RegexOptions.CultureInvariant));
            _flagsTrigger = CommonPrefix(policy.Flags);
        }

        if (policy.PasswordPrograms.Length > 0)
        {
            // mysql … -p VALUE or mysql … -pVALUE, within one simple command (not past ; & | or a line end). A VALUE
            // starting with '-' is the next option: "mysql -p -e …" prompts for the password.
            var programs = policy.PasswordPrograms;
            const string passwordValue = """(?:'(?<value>[^']*)'|"(?<value>[^"]*)"|(?<value>[^\s"'\-;&|)][^\s"';&|)]*))""";
            _passwordFlag = new(() => new Regex(
                "(?<![\\w.\\-])(?:[\\w./-]*/)?(?:" + Alternatives(programs) + ")(?=\\s)[^\\n;&|]*?\\s-p(?:" + passwordValue + "|\\s+" + passwordValue + ")",
                RegexOptions.CultureInvariant));
        }

        _patterns = new (Regex, bool, string[]?)[policy.Patterns.Length];
        for (var i = 0; i < _patterns.Length; i++)
        {
            var pattern = policy.Patterns[i];
            var builtIn = Array.IndexOf(BuiltInPatterns, pattern);
            _patterns[i] = (pattern, pattern.GroupNumberFromName("secret") >= 0, builtIn < 0 ? null : BuiltInTriggers[builtIn]);
        }
    }

    /// <summary>The words as regex alternatives, longest first (so a longer flag wins over its own prefix).</summary>
    private static string Alternatives(ImmutableArray<string> words) =>
        string.Join('|', words.OrderByDescending(w => w.Length).Select(Regex.Escape));

    /// <summary><paramref name="text"/> (a line of text: output, a message, a shell command line) with every rule
    /// applied.</summary>
    public string Line(string text) => Apply(text, line: true, null, 1);

    /// <summary><paramref name="argument"/> (one argument of a command) with every rule applied. Each masked value whose
    /// length is at least <paramref name="minFound"/> is added to <paramref name="found"/> when it is given.</summary>
    public string Word(string argument, List<string>? found, int minFound) => Apply(argument, line: false, found, minFound);

    private string Apply(string text, bool line, List<string>? found, int minFound)
    {
        if (text.Length == 0)
        {
            return text;
        }

        if ((line ? _lineFlags : _wordFlags) is { } flags && text.Contains(_flagsTrigger, StringComparison.Ordinal))
        {
            text = MaskGroup(flags.Value, text, "value", found, minFound);
        }

        if (_passwordFlag is not null && text.Contains("-p", StringComparison.Ordinal))
        {
            text = MaskGroup(_passwordFlag.Value, text, "value", found, minFound);
        }

        if (_policy.MasksSecretNames && text.Contains('=', StringComparison.Ordinal))
        {
            text = (line ? LineAssignment : WordAssignment).Replace(text, m => SecretName.Matches(m.Groups["name"].Value) ? Masked(m, m.Groups["value"], found, minFound) : m.Value);
        }

        foreach (var (pattern, hasSecretGroup, triggers) in _patterns)
        {
            if (triggers is null || triggers.Any(t => text.Contains(t, StringComparison.OrdinalIgnoreCase)))
            {
                text = pattern.Replace(text, m => Masked(m, hasSecretGroup ? m.Groups["secret"] : m, found, minFound));
            }
        }

        return text;
    }

    /// <summary>The start every flag shares ("--" for the default ones), which text must hold for any to match.</summary>
    private static string CommonPrefix(IReadOnlyList<string> flags)
    {
        var prefix = flags[0];
        foreach (var flag in flags)
        {
            var i = 0;
            while (i < prefix.Length && i < flag.Length && prefix[i] == flag[i])
            {
                i++;
            }

            prefix = prefix[..i];
        }

        return prefix;
    }

    private static string MaskGroup(Regex rule, string text, string group, List<string>? found, int minFound) =>
        rule.Replace(text, m => Masked(m, m.Groups[group], found, minFound));

    /// <summary>The match with <paramref name="secret"/> (a group of it, or the match itself) replaced by the mask.</summary>
    private static string Masked(Match match, Group secret, List<string>? found, int minFound)
    {
        if (!secret.Success || secret.Length == 0 || secret.Value == RedactionPolicy.Mask)
        {
            return match.Value;
        }

        if (found is not null && secret.Length >= minFound)
        {
            found.Add(secret.Value);
        }

        var start = secret.Index - match.Index;
        return string.Concat(match.Value.AsSpan(0, start), RedactionPolicy.Mask, match.Value.AsSpan(start + secret.Length));
    }

    [GeneratedRegex(@"(?i)\bauthorization\s*:\s*(?:bearer|basic|token|digest)\s+(?<secret>[^\s""']+)", RegexOptions.CultureInvariant)]
    private static partial Regex AuthorizationHeader();

    [GeneratedRegex(@"(?i)(?<![\w-])(?:x-api-key|api-key|x-auth-token|private-token)\s*:\s*(?<secret>[^\s""']+)", RegexOptions.CultureInvariant)]
    private static partial Regex ApiKeyHeader();

    [GeneratedRegex(@"(?i)\b[a-z][a-z0-9+.\-]*://[^\s/:@]+:(?<secret>[^\s/@]+)@", RegexOptions.CultureInvariant)]
    private static partial Regex UrlCredentials();

    [GeneratedRegex(AssignmentName + LineValue, RegexOptions.CultureInvariant)]
    private static partial Regex LineAssignmentRule();

    [GeneratedRegex(AssignmentName + WordAssignmentValue, RegexOptions.CultureInvariant)]
    private static partial Regex WordAssignmentRule();
}
