namespace Tether.Journaling;

/// <summary>
/// Keeps secrets out of captured command lines. Arguments marked secret are always replaced by <c>***</c>; on top of
/// that, values that look like credentials are masked: <c>--password=x</c>, <c>--token x</c>, <c>API_KEY=x</c>, and the
/// password in <c>https://user:password@host</c>. The heuristics are a safety net, not a substitute for marking secrets.
/// </summary>
public static class ArgumentRedaction
{
    /// <summary>What replaces a secret.</summary>
    public const string Mask = "***";

    private static readonly string[] SecretWords =
    [
        "password", "passwd", "passphrase", "secret", "token", "apikey", "api-key", "api_key", "access-key", "access_key",
        "private-key", "private_key", "credential", "auth", "pwd",
    ];

    /// <summary>The arguments as they may be recorded.</summary>
    public static IReadOnlyList<string> Redact(IReadOnlyList<CapturedArgument> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var result = new string[arguments.Count];
        var nextIsSecret = false;
        for (var i = 0; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            if (argument.IsSecret || nextIsSecret)
            {
                result[i] = Mask;
                nextIsSecret = false;
                continue;
            }

            result[i] = RedactOne(argument.Value, out nextIsSecret);
        }

        return result;
    }

    /// <summary>One argument as it may be recorded; <paramref name="nextIsSecret"/> says whether it is a flag such as
    /// <c>--password</c> whose value follows as the next argument.</summary>
    private static string RedactOne(string value, out bool nextIsSecret)
    {
        nextIsSecret = false;
        var equals = value.IndexOf('=', StringComparison.Ordinal);
        if (value.StartsWith('-'))
        {
            var name = equals < 0 ? value : value[..equals];
            if (LooksSecret(name.TrimStart('-')))
            {
                if (equals < 0)
                {
                    nextIsSecret = true;
                    return value;
                }

                return value[..(equals + 1)] + Mask;
            }
        }
        else if (equals > 0 && LooksSecret(value[..equals]) && !value.Contains("://", StringComparison.Ordinal))
        {
            return value[..(equals + 1)] + Mask;
        }

        return MaskUrlPassword(value);
    }

    private static bool LooksSecret(string name)
    {
        foreach (var word in SecretWords)
        {
            if (name.Contains(word, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary><c>scheme://user:password@host…</c> → <c>scheme://user:***@host…</c>.</summary>
    private static string MaskUrlPassword(string value)
    {
        var scheme = value.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0)
        {
            return value;
        }

        var authorityStart = scheme + 3;
        var authorityEnd = value.IndexOfAny(['/', '?', '#'], authorityStart);
        if (authorityEnd < 0)
        {
            authorityEnd = value.Length;
        }

        var at = value.LastIndexOf('@', authorityEnd - 1, authorityEnd - authorityStart);
        if (at < 0)
        {
            return value;
        }

        var colon = value.IndexOf(':', authorityStart, at - authorityStart);
        return colon < 0 ? value : value[..(colon + 1)] + Mask + value[at..];
    }
}
