using System.Globalization;

namespace Tether.Cli.Commands;

/// <summary>
/// Reads the option values of the journal verbs (times, sizes, counts), or throws <see cref="UsageException"/> naming
/// the option, quoting the text and saying what to write.
/// </summary>
internal static class JournalValues
{
    /// <summary>
    /// Reads an RFC 3339 time such as <c>2025-11-22T10:00:00Z</c>, or a duration such as <c>10m</c> meaning that long
    /// before <paramref name="now"/>; null stays null.
    /// </summary>
    public static DateTimeOffset? Time(string option, string? text, DateTimeOffset now)
    {
        if (text is null)
        {
            return null;
        }

        if (Durations.TryParse(text, out var ago))
        {
            return now - ago;
        }

        // RFC 3339 needs a date, a time and a zone; a time without a zone would depend on the machine's.
        if (text.Length >= 20 && text[10] is 'T' or 't' or ' '
            && (text.EndsWith('Z') || text.EndsWith('z') || text[^6] is '+' or '-')
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var time))
        {
            return time;
        }

        throw new UsageException($"{option}: '{text}' is not a time: write an RFC 3339 time such as 2025-11-22T10:00:00Z, or a duration ago such as 10m or 2h.");
    }

    /// <summary>Reads a byte count: digits, optionally followed by K, M or G (1024-based); null stays null.</summary>
    public static long? Size(string option, string? text)
    {
        if (text is null)
        {
            return null;
        }

        var digits = text.Trim();
        long unit = 1;
        if (digits.Length > 0 && char.ToUpperInvariant(digits[^1]) is 'K' or 'M' or 'G')
        {
            unit = char.ToUpperInvariant(digits[^1]) switch { 'K' => 1L << 10, 'M' => 1L << 20, _ => 1L << 30 };
            digits = digits[..^1];
        }

        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value <= 0 || value > long.MaxValue / unit)
        {
            throw new UsageException($"{option}: '{text}' is not a size: write a whole number of bytes greater than zero, optionally with K, M or G, such as 500M.");
        }

        return value * unit;
    }

    /// <summary>Reads a whole number between 0 (or 1) and <paramref name="max"/>; null stays null.</summary>
    public static long? Count(string option, string? text, bool allowZero, long max)
    {
        if (text is null)
        {
            return null;
        }

        var min = allowZero ? 0 : 1;
        if (!long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"{option}: '{text}' is not a count: write a whole number from {min} to {max}, such as 10."));
        }

        return value;
    }
}
