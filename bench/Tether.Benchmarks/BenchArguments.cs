using System.Globalization;

namespace Tether.Benchmarks;

/// <summary>The option reading and invariant formatting every benchmark mode shares.</summary>
internal static class BenchArguments
{
    /// <summary>The value after <paramref name="name"/> in <paramref name="args"/>, or null when it is not there.</summary>
    public static string? ValueOf(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>The whole number after <paramref name="name"/>, or <paramref name="fallback"/> when it is not there.</summary>
    public static int Option(string[] args, string name, int fallback) =>
        ValueOf(args, name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

    /// <summary>Formats with the invariant culture, so figures read the same on every machine.</summary>
    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
