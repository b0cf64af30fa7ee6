using System.Globalization;

namespace Tether.Cli;

/// <summary>A count with its noun in the right number, for every message that prints one: <c>1 segment</c>, <c>2 segments</c>, <c>0 entries</c>.</summary>
internal static class Counted
{
    /// <summary><paramref name="count"/> and <paramref name="singular"/>, or <paramref name="plural"/> (default: the singular + <c>s</c>) unless the count is 1.</summary>
    public static string Of(long count, string singular, string? plural = null) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {(count == 1 ? singular : plural ?? singular + "s")}");

    /// <summary><c>was</c> for a count of 1, else <c>were</c>: "1 of 3 beats was not sent".</summary>
    public static string WasOrWere(long count) => count == 1 ? "was" : "were";
}
