using System.Globalization;

namespace Tether;

/// <summary>
/// Durations as Tether writes them: <c>500ms</c>, <c>2s</c>, <c>5m</c>, <c>1h</c>, and combinations such as <c>1m30s</c>.
/// </summary>
public static class Durations
{
    /// <summary>
    /// The longest time Tether can wait for: 4294967294 ms, about 49.7 days (<c>1193h2m47.294s</c>), the limit of the
    /// timers every timeout, grace period and interval is armed on. Each <c>With…</c> method and option that takes
    /// such a duration refuses a longer one (<see cref="ArgumentOutOfRangeException"/>; a usage error in the
    /// <c>tether</c> tool) rather than clamp it, because a clamped timeout would fire at a time nobody asked for; for
    /// no limit, leave the timeout out (null).
    /// </summary>
    public static readonly TimeSpan LongestWait = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    /// <summary>Parses a duration such as <c>500ms</c>, <c>2s</c>, <c>1.5s</c>, <c>5m</c>, <c>1h</c> or <c>1h30m</c>.</summary>
    /// <exception cref="FormatException">The text is not a duration, or one too long to represent (over about 14,000
    /// years); the message says which and shows the accepted forms.</exception>
    public static TimeSpan Parse(string text) => Read(text, out var value) switch
    {
        Reading.Read => value,
        Reading.TooLong => throw new FormatException($"'{text}' is too long a duration to represent: give a shorter one, such as 30d."),
        _ => throw new FormatException($"'{text}' is not a duration: write a number with a unit, such as 500ms, 2s, 1.5s, 5m or 1h."),
    };

    /// <summary>Parses a duration; returns false when the text is not one (or one too long to represent).</summary>
    public static bool TryParse(string? text, out TimeSpan value) => Read(text, out value) == Reading.Read;

    private enum Reading
    {
        Read,
        NotADuration,
        TooLong,
    }

    private static Reading Read(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return Reading.NotADuration;
        }

        var span = text.AsSpan().Trim();
        double totalMs = 0;
        while (!span.IsEmpty)
        {
            var i = 0;
            while (i < span.Length && (char.IsAsciiDigit(span[i]) || span[i] == '.'))
            {
                i++;
            }

            if (i == 0 || !double.TryParse(span[..i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return Reading.NotADuration;
            }

            span = span[i..];
            var j = 0;
            while (j < span.Length && char.IsAsciiLetter(span[j]))
            {
                j++;
            }

            double unitMs;
            switch (span[..j])
            {
                case "ms": unitMs = 1; break;
                case "s": unitMs = 1000; break;
                case "m": unitMs = 60_000; break;
                case "h": unitMs = 3_600_000; break;
                case "d": unitMs = 86_400_000; break;
                default: return Reading.NotADuration;
            }

            span = span[j..];
            totalMs += number * unitMs;
        }

        if (totalMs > TimeSpan.MaxValue.TotalMilliseconds / 2)
        {
            return Reading.TooLong;
        }

        value = TimeSpan.FromMilliseconds(totalMs);
        return Reading.Read;
    }

    /// <summary>Formats a duration the way <see cref="Parse"/> reads it: <c>250ms</c>, <c>2s</c>, <c>1.5s</c>, <c>5m</c>, <c>1h30m</c>.</summary>
    public static string Format(TimeSpan value)
    {
        if (value < TimeSpan.FromSeconds(1))
        {
            return ((long)Math.Round(value.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture) + "ms";
        }

        if (value < TimeSpan.FromMinutes(1))
        {
            return Math.Round(value.TotalSeconds, 3).ToString(CultureInfo.InvariantCulture) + "s";
        }

        var parts = new List<string>(3);
        if (value.Days > 0 || value.Hours > 0)
        {
            parts.Add(((int)value.TotalHours).ToString(CultureInfo.InvariantCulture) + "h");
        }

        if (value.Minutes > 0)
        {
            parts.Add(value.Minutes.ToString(CultureInfo.InvariantCulture) + "m");
        }

        if (value.Seconds > 0 || value.Milliseconds > 0)
        {
            parts.Add(Math.Round(value.Seconds + value.Milliseconds / 1000.0, 3).ToString(CultureInfo.InvariantCulture) + "s");
        }

        return string.Concat(parts);
    }
}
