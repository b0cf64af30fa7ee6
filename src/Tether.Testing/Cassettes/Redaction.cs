using System.Collections.Immutable;
using System.Diagnostics.Contracts;
using System.Text.RegularExpressions;

namespace Tether.Testing;

/// <summary>
/// Rules that replace secrets with <see cref="Marker"/> before a cassette is written: in arguments, stdout and stderr.
/// The same rules are applied to a replaying invocation's arguments before it is matched, so a redacted entry still
/// replays. Arguments added with <see cref="Command.AddSecretArgument"/> are always redacted, whatever the rules.
/// Immutable; each <c>With…</c> returns new rules.
/// </summary>
public sealed class Redaction
{
    /// <summary>What a secret is replaced with.</summary>
    public const string Marker = "[REDACTED]";

    private static readonly string[] DefaultFlags =
    [
        "--password", "--passwd", "--pass", "--token", "--access-token", "--auth-token", "--api-key", "--apikey",
        "--secret", "--client-secret", "--secret-key", "--access-key", "--private-key",
    ];

    private readonly ImmutableArray<string> _flags;
    private readonly ImmutableArray<Regex> _patterns;

    private Redaction(ImmutableArray<string> flags, ImmutableArray<Regex> patterns)
    {
        _flags = flags;
        _patterns = patterns;
    }

    /// <summary>No rules: only arguments marked secret on the command are redacted.</summary>
    public static Redaction None { get; } = new([], []);

    /// <summary>
    /// The default rules: the values of common secret flags (<c>--password</c>, <c>--token</c>, <c>--api-key</c>,
    /// <c>--secret</c>, … as <c>--flag=value</c> or <c>--flag value</c>), <c>Authorization:</c> header credentials
    /// (<c>Bearer</c>, <c>Basic</c>, <c>token</c>), and passwords in URLs (<c>https://user:secret@host</c>).
    /// </summary>
    public static Redaction Default { get; } = None
        .WithFlags(DefaultFlags)
        .WithPattern(new Regex(@"(?i)\bauthorization\s*:\s*(?:bearer|basic|token|digest)\s+(?<secret>[^\s""']+)", RegexOptions.CultureInvariant))
        .WithPattern(new Regex(@"(?i)\b[a-z][a-z0-9+.\-]*://[^\s/:@]+:(?<secret>[^\s/@]+)@", RegexOptions.CultureInvariant));

    /// <summary>The flags whose values are redacted.</summary>
    public IReadOnlyList<string> Flags => _flags;

    /// <summary>The patterns whose matches are redacted.</summary>
    public IReadOnlyList<Regex> Patterns => _patterns;

    /// <summary>
    /// Also redacts the value of each flag, given as <c>--flag=value</c> or as <c>--flag value</c> (the next argument),
    /// in arguments and in output.
    /// </summary>
    [Pure]
    public Redaction WithFlags(params IEnumerable<string> flags)
    {
        ArgumentNullException.ThrowIfNull(flags);
        var builder = _flags.ToBuilder();
        foreach (var flag in flags)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(flag, nameof(flags));
            if (!builder.Contains(flag))
            {
                builder.Add(flag);
            }
        }

        return new Redaction(builder.ToImmutable(), _patterns);
    }

    /// <summary>
    /// Also redacts every match of <paramref name="pattern"/> in each argument and in output: only the group named
    /// <c>secret</c> when the pattern has one, otherwise the whole match.
    /// </summary>
    [Pure]
    public Redaction WithPattern(Regex pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        return new Redaction(_flags, _patterns.Add(pattern));
    }

    /// <summary>Also redacts every match of the regular expression <paramref name="pattern"/>; see <see cref="WithPattern(Regex)"/>.</summary>
    [Pure]
    public Redaction WithPattern(string pattern)
    {
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        return WithPattern(new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)));
    }

    /// <summary>Also redacts every occurrence of this exact text (a token the test knows).</summary>
    [Pure]
    public Redaction WithLiteral(string secret)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        return WithPattern(new Regex(Regex.Escape(secret), RegexOptions.CultureInvariant));
    }

    /// <summary>The arguments with secrets replaced: marked-secret ones, flag values and pattern matches.</summary>
    public ImmutableArray<string> Arguments(IReadOnlyList<string> arguments, IReadOnlyList<bool>? secret = null)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var result = ImmutableArray.CreateBuilder<string>(arguments.Count);
        var redactNext = false;
        for (var i = 0; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            if (redactNext || (secret is not null && i < secret.Count && secret[i]))
            {
                result.Add(Marker);
                redactNext = false;
                continue;
            }

            if (_flags.Contains(argument))
            {
                redactNext = true;
                result.Add(argument);
                continue;
            }

            result.Add(ApplyPatterns(RedactFlagValues(argument)));
        }

        return result.MoveToImmutable();
    }

    /// <summary>The text (stdout or stderr) with flag values and pattern matches replaced.</summary>
    public string Text(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Length == 0 ? text : ApplyPatterns(RedactFlagValues(text));
    }

    private string RedactFlagValues(string text)
    {
        foreach (var flag in _flags)
        {
            if (!text.Contains(flag, StringComparison.Ordinal))
            {
                continue;
            }

            // --flag=value or --flag value; the value is quoted ('…' or "…", as in a shell command line) or runs up to
            // the next whitespace or quote. The quotes stay, the value becomes the marker.
            text = Regex.Replace(
                text,
                "(?<![\\w-])" + Regex.Escape(flag) + "(?<sep>[= ]+)(?:'(?<value>[^']*)'|\"(?<value>[^\"]*)\"|(?<value>[^\\s\"']+))",
                m =>
                {
                    var value = m.Groups["value"];
                    if (value.Value == Marker || value.Length == 0)
                    {
                        return m.Value;
                    }

                    var start = value.Index - m.Index;
                    return string.Concat(m.Value.AsSpan(0, start), Marker, m.Value.AsSpan(start + value.Length));
                },
                RegexOptions.CultureInvariant);
        }

        return text;
    }

    private string ApplyPatterns(string text)
    {
        foreach (var pattern in _patterns)
        {
            text = pattern.Replace(text, match =>
            {
                var secret = match.Groups["secret"];
                if (!secret.Success || pattern.GroupNumberFromName("secret") < 0)
                {
                    return Marker;
                }

                return string.Concat(
                    match.Value.AsSpan(0, secret.Index - match.Index),
                    Marker,
                    match.Value.AsSpan(secret.Index - match.Index + secret.Length));
            });
        }

        return text;
    }
}
