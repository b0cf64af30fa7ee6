using System.Globalization;

namespace Tether.Supervisor;

/// <summary>
/// Reads one typed value from a node, adding an error (naming the setting, what it must be, an example and what was
/// written) when it cannot. Each method returns false on error so a caller keeps the default and reads on.
/// </summary>
internal sealed class ConfigValues(ConfigErrors errors)
{
    public ConfigErrors Errors { get; } = errors;

    /// <summary>Non-null text (numbers and booleans are taken as written).</summary>
    public bool Text(ConfigNode node, string what, out string value)
    {
        value = "";
        if (node is ConfigScalar { IsNull: false } scalar)
        {
            value = scalar.Value;
            return true;
        }

        Errors.Add(node, $"{what} must be text; got {node.Describe()}.");
        return false;
    }

    /// <summary>A whole number from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public bool Integer(ConfigNode node, string what, long min, long max, out long value)
    {
        value = 0;
        if (node is ConfigScalar { IsNull: false } scalar
            && long.TryParse(scalar.Value.Replace("_", "", StringComparison.Ordinal), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value)
            && value >= min && value <= max)
        {
            return true;
        }

        Errors.Add(node, string.Create(CultureInfo.InvariantCulture, $"{what} must be a whole number from {min} to {max}; got {node.Describe()}."));
        return false;
    }

    /// <summary>A whole number in the range of an <see cref="int"/>.</summary>
    public bool Integer(ConfigNode node, string what, int min, int max, out int value)
    {
        var ok = Integer(node, what, (long)min, max, out long wide);
        value = ok ? (int)wide : 0;
        return ok;
    }

    /// <summary>A number (decimals allowed) from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public bool Number(ConfigNode node, string what, double min, double max, string example, out double value)
    {
        value = 0;
        if (node is ConfigScalar { IsNull: false } scalar
            && double.TryParse(scalar.Value, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value)
            && double.IsFinite(value) && value >= min && value <= max)
        {
            return true;
        }

        Errors.Add(node, string.Create(CultureInfo.InvariantCulture, $"{what} must be a number from {min} to {max}, such as {example}; got {node.Describe()}."));
        return false;
    }

    /// <summary>
    /// A duration: <c>500ms</c>, <c>2s</c>, <c>1.5s</c>, <c>5m</c>, <c>1h</c>, <c>1m30s</c>, or a plain number of
    /// seconds; at most <see cref="Durations.LongestWait"/>; zero only when <paramref name="allowZero"/>.
    /// </summary>
    public bool Duration(ConfigNode node, string what, bool allowZero, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (node is ConfigScalar { IsNull: false } scalar && ParseDuration(scalar.Value, out value)
            && value <= Durations.LongestWait && (allowZero ? value >= TimeSpan.Zero : value > TimeSpan.Zero))
        {
            return true;
        }

        var range = allowZero ? "from 0s" : "longer than 0s";
        Errors.Add(node, $"{what} must be a duration {range} up to 49d, such as 500ms, 2s, 5m or 1h (a plain number is seconds); got {node.Describe()}.");
        return false;
    }

    /// <summary>A size in bytes: <c>512</c>, <c>64K</c>, <c>10MiB</c>, <c>512M</c>, <c>1G</c>, <c>1GB</c>; at least <paramref name="min"/>.</summary>
    public bool Size(ConfigNode node, string what, long min, out long value)
    {
        value = 0;
        if (node is ConfigScalar { IsNull: false } scalar && ParseSize(scalar.Value, out value) && value >= min)
        {
            return true;
        }

        Errors.Add(node, string.Create(CultureInfo.InvariantCulture,
            $"{what} must be a size of at least {min} bytes, such as 512M, 10MiB or 1G (K, M, G, T and KiB, MiB, GiB, TiB count in 1024s; KB, MB, GB, TB in 1000s); got {node.Describe()}."));
        return false;
    }

    /// <summary>A signal: <c>TERM</c>, <c>SIGTERM</c> or <c>15</c>.</summary>
    public bool Signal(ConfigNode node, string what, out Signal value)
    {
        value = default;
        if (node is ConfigScalar { IsNull: false } scalar && Tether.Signal.TryParse(scalar.Value, out value))
        {
            return true;
        }

        Errors.Add(node, $"{what} must be a signal such as TERM, SIGINT, HUP or 15; got {node.Describe()}.");
        return false;
    }

    /// <summary>One of <paramref name="choices"/>, exactly as written there.</summary>
    public bool Choice(ConfigNode node, string what, string[] choices, out string value)
    {
        value = "";
        if (node is ConfigScalar { IsNull: false } scalar && choices.Contains(scalar.Value, StringComparer.Ordinal))
        {
            value = scalar.Value;
            return true;
        }

        var suggestion = node is ConfigScalar { IsNull: false } written ? ConfigKeys.DidYouMean(written.Value, choices) : "";
        Errors.Add(node, $"{what} must be one of {string.Join(", ", choices)}; got {node.Describe()}{suggestion}.");
        return false;
    }

    /// <summary>A mapping; any other value is an error that shows <paramref name="example"/>.</summary>
    public bool Mapping(ConfigNode node, string what, string example, out ConfigMapping mapping)
    {
        if (node is ConfigMapping found)
        {
            mapping = found;
            return true;
        }

        mapping = null!;
        Errors.Add(node, $"{what} must be a mapping, such as {example}; got {node.Describe()}.");
        return false;
    }

    /// <summary>
    /// The entries of <paramref name="mapping"/> whose key is in <paramref name="accepted"/>; any other key is an error
    /// with the closest accepted one as a suggestion.
    /// </summary>
    public List<(string Key, ConfigScalar KeyNode, ConfigNode Value)> Keys(ConfigMapping mapping, string where, string[] accepted)
    {
        var known = new List<(string, ConfigScalar, ConfigNode)>(mapping.Entries.Count);
        foreach (var (key, value) in mapping.Entries)
        {
            if (accepted.Contains(key.Value, StringComparer.Ordinal))
            {
                known.Add((key.Value, key, value));
            }
            else if (Errors.IsFull)
            {
                // Only counted from here on: skip wording it (the suggestion costs an edit distance per key).
                Errors.Add(key, "");
            }
            else
            {
                Errors.Add(key, $"unknown key '{ConfigScalar.Shorten(key.Value)}' in {where}{ConfigKeys.DidYouMean(key.Value, accepted)}; the keys accepted there are {string.Join(", ", accepted)}.");
            }
        }

        return known;
    }

    internal static bool ParseDuration(string text, out TimeSpan value)
    {
        var trimmed = text.Trim();
        if (trimmed.Length > 0 && trimmed.Length <= 32 && double.TryParse(trimmed, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds))
        {
            value = TimeSpan.Zero;
            if (!double.IsFinite(seconds) || seconds > Durations.LongestWait.TotalSeconds)
            {
                return false;
            }

            value = TimeSpan.FromSeconds(seconds);
            return true;
        }

        return Durations.TryParse(trimmed, out value);
    }

    internal static bool ParseSize(string text, out long bytes)
    {
        bytes = 0;
        var span = text.AsSpan().Trim();
        var digits = 0;
        while (digits < span.Length && (char.IsAsciiDigit(span[digits]) || span[digits] == '.'))
        {
            digits++;
        }

        if (digits == 0 || digits > 24 || !double.TryParse(span[..digits], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        double unit = span[digits..].Trim().ToString().ToUpperInvariant() switch
        {
            "" or "B" => 1,
            "K" or "KIB" => 1L << 10,
            "M" or "MIB" => 1L << 20,
            "G" or "GIB" => 1L << 30,
            "T" or "TIB" => 1L << 40,
            "KB" => 1e3,
            "MB" => 1e6,
            "GB" => 1e9,
            "TB" => 1e12,
            _ => 0,
        };
        var total = Math.Round(number * unit);
        if (unit == 0 || !double.IsFinite(total) || total >= long.MaxValue)
        {
            return false;
        }

        bytes = (long)total;
        return true;
    }
}
