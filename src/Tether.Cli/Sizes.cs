using System.Globalization;

namespace Tether.Cli;

/// <summary>
/// Reads sizes of memory written the way people write them on a command line: <c>512M</c>, <c>1G</c>, <c>1.5G</c>,
/// <c>64KiB</c> or a plain number of bytes. Multiples are binary (1K = 1024 bytes), as the kernel counts memory.
/// </summary>
internal static class Sizes
{
    private const string Expected = "write a number of bytes with an optional K, M, G or T, such as 512M or 1.5G";

    /// <summary>Reads <paramref name="text"/> as a number of bytes.</summary>
    /// <exception cref="FormatException">It is not a size, or it is too large to count; the message says what to write.</exception>
    public static long Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        var end = 0;
        while (end < trimmed.Length && (char.IsAsciiDigit(trimmed[end]) || trimmed[end] == '.'))
        {
            end++;
        }

        if (end == 0 || !decimal.TryParse(trimmed[..end], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            throw new FormatException($"'{text}' is not a size: {Expected}.");
        }

        var multiplier = Multiplier(trimmed[end..]) ?? throw new FormatException($"'{text}' is not a size: {Expected}.");
        decimal bytes;
        try
        {
            bytes = decimal.Floor(number * multiplier);
        }
        catch (OverflowException)
        {
            throw new FormatException($"'{text}' is too large a size.");
        }

        if (bytes > long.MaxValue)
        {
            throw new FormatException($"'{text}' is too large a size.");
        }

        return (long)bytes;
    }

    /// <summary>The multiple a unit stands for (K, KB, KiB and so on, in any case), or null when it is none.</summary>
    private static long? Multiplier(string unit)
    {
        var letters = unit.ToUpperInvariant();
        if (letters.EndsWith("IB", StringComparison.Ordinal))
        {
            letters = letters[..^2];
            if (letters.Length == 0)
            {
                return null;
            }
        }
        else if (letters.EndsWith('B'))
        {
            letters = letters[..^1];
        }

        return letters switch
        {
            "" => 1L,
            "K" => 1L << 10,
            "M" => 1L << 20,
            "G" => 1L << 30,
            "T" => 1L << 40,
            _ => null,
        };
    }

    /// <summary>Writes a number of bytes the way <see cref="Parse"/> reads it, in the largest whole unit: 512M, 1G, 1536K.</summary>
    public static string Format(long bytes)
    {
        foreach (var (suffix, shift) in new[] { ("T", 40), ("G", 30), ("M", 20), ("K", 10) })
        {
            var unit = 1L << shift;
            if (bytes >= unit && bytes % unit == 0)
            {
                return (bytes / unit).ToString(CultureInfo.InvariantCulture) + suffix;
            }
        }

        return bytes.ToString(CultureInfo.InvariantCulture);
    }
}
