using System.Globalization;
using System.Text.Json;

namespace Tether.Sessions;

/// <summary>
/// Timestamps as rec writes them: seconds since the Unix epoch (UTC) as a JSON number with a fraction
/// (<c>1769862000.125</c>). Tether writes up to seven decimals (the 100 ns tick), so its own timestamps read back
/// exactly; rec writes an f64, which Tether reads to the nearest tick.
/// </summary>
internal static class UnixSeconds
{
    private const decimal TicksPerSecond = TimeSpan.TicksPerSecond;

    // DateTimeOffset spans about ±2.5e11 s around the epoch; anything beyond is not a time.
    private const decimal Limit = 300_000_000_000m;

    /// <summary>The number's text: at least one decimal (<c>1769862000.0</c>, as serde_json writes a whole f64), at most
    /// seven.</summary>
    public static string Format(DateTimeOffset value)
    {
        var ticks = value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        return (ticks / TicksPerSecond).ToString("0.0######", CultureInfo.InvariantCulture);
    }

    /// <summary>Reads a JSON number of seconds (integer, fraction or exponent form); false when it is not a number or
    /// not a representable time.</summary>
    public static bool TryRead(JsonElement element, out DateTimeOffset value)
    {
        value = default;
        if (element.ValueKind != JsonValueKind.Number)
        {
            return false;
        }

        // Decimal first, so that the text's digits are taken exactly; a double only for what decimal cannot hold.
        if (!element.TryGetDecimal(out var seconds))
        {
            if (!element.TryGetDouble(out var approximate) || !double.IsFinite(approximate) || Math.Abs(approximate) > (double)Limit)
            {
                return false;
            }

            seconds = (decimal)approximate;
        }

        if (Math.Abs(seconds) > Limit)
        {
            return false;
        }

        var ticks = (long)decimal.Round(seconds * TicksPerSecond, MidpointRounding.AwayFromZero) + DateTimeOffset.UnixEpoch.UtcTicks;
        if (ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks)
        {
            return false;
        }

        value = new DateTimeOffset(ticks, TimeSpan.Zero);
        return true;
    }
}
