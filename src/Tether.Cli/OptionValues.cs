namespace Tether.Cli;

/// <summary>
/// Turns option text into values the way every verb reads them, or throws <see cref="UsageException"/> with a message
/// that names the option, quotes what was given and says what to write instead.
/// </summary>
internal static class OptionValues
{
    /// <summary>Reads a duration such as <c>500ms</c>, <c>2s</c>, <c>5m</c> or <c>1h</c>; null stays null.</summary>
    /// <param name="option">The option's name, for the message.</param>
    /// <param name="text">The text given, or null when the option was absent.</param>
    /// <param name="allowZero">Whether <c>0s</c> means something for this option.</param>
    public static TimeSpan? Duration(string option, string? text, bool allowZero)
    {
        if (text is null)
        {
            return null;
        }

        TimeSpan value;
        try
        {
            value = Durations.Parse(text);
        }
        catch (FormatException ex)
        {
            throw new UsageException($"{option}: {ex.Message}");
        }

        if (value == TimeSpan.Zero && !allowZero)
        {
            throw new UsageException($"{option}: '{text}' is zero: give a duration longer than zero, such as 30s, or leave the option out.");
        }

        return value;
    }

    /// <summary>
    /// Reads a duration that tether waits for on a timer (a timeout, a grace period, an interval), which can be at most
    /// <see cref="Durations.LongestWait"/> (1193h, about 49.7 days); null stays null. A longer one is refused rather than
    /// clamped, so that nothing fires at a time nobody asked for.
    /// </summary>
    /// <param name="option">The option's name, for the message.</param>
    /// <param name="text">The text given, or null when the option was absent.</param>
    /// <param name="allowZero">Whether <c>0s</c> means something for this option.</param>
    /// <param name="instead">What to do instead of a longer duration, such as "leave the option out for no timeout".</param>
    public static TimeSpan? Wait(string option, string? text, bool allowZero, string instead)
    {
        var value = Duration(option, text, allowZero);
        if (value > Durations.LongestWait)
        {
            throw new UsageException($"{option}: '{text}' is longer than tether can wait on a timer (at most 1193h, about 49.7 days): {instead}.");
        }

        return value;
    }

    /// <summary>Reads a signal name or number such as <c>TERM</c>, <c>SIGINT</c> or <c>9</c>; null stays null.</summary>
    public static Signal? Signal(string option, string? text)
    {
        if (text is null)
        {
            return null;
        }

        try
        {
            return Tether.Signal.Parse(text);
        }
        catch (FormatException ex)
        {
            throw new UsageException($"{option}: {ex.Message}");
        }
    }

    /// <summary>Reads <c>auto</c>, <c>cgroup</c> or <c>process-group</c>; null means auto.</summary>
    public static ContainmentMode Containment(string option, string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "auto" => ContainmentMode.Auto,
        "cgroup" => ContainmentMode.Cgroup,
        "process-group" => ContainmentMode.ProcessGroup,
        _ => throw new UsageException($"{option}: '{text}' is not a containment mode: write auto, cgroup or process-group."),
    };

    /// <summary>Splits <c>NAME=VALUE</c> at the first <c>=</c>; the value may be empty and may contain <c>=</c>.</summary>
    public static KeyValuePair<string, string> Assignment(string option, string text)
    {
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals < 0)
        {
            throw new UsageException($"{option}: '{text}' has no '=': write NAME=VALUE, such as {option} LOG_LEVEL=debug (an empty value is NAME=).");
        }

        if (equals == 0)
        {
            throw new UsageException($"{option}: '{text}' has no name before '=': write NAME=VALUE, such as {option} LOG_LEVEL=debug.");
        }

        return new(text[..equals], text[(equals + 1)..]);
    }

    /// <summary>Checks an environment variable name: non-empty, without <c>=</c>.</summary>
    public static string VariableName(string option, string text)
    {
        if (text.Length == 0 || text.Contains('=', StringComparison.Ordinal))
        {
            throw new UsageException($"{option}: '{text}' is not a variable name: write just the name, such as {option} HOME.");
        }

        return text;
    }

    /// <summary>Reads a size of memory such as <c>512M</c> or <c>1G</c> (see <see cref="Sizes"/>); null stays null.</summary>
    public static long? Size(string option, string? text)
    {
        if (text is null)
        {
            return null;
        }

        try
        {
            return Sizes.Parse(text);
        }
        catch (FormatException ex)
        {
            throw new UsageException($"{option}: {ex.Message}");
        }
    }

    /// <summary>Reads a whole number from <paramref name="least"/> to <paramref name="most"/>; null stays null.</summary>
    /// <param name="option">The option's name, for the message.</param>
    /// <param name="text">The text given, or null when the option was absent.</param>
    /// <param name="least">The smallest value that means something.</param>
    /// <param name="most">The largest value that means something.</param>
    /// <param name="example">A value to suggest, such as 3.</param>
    public static int? Integer(string option, string? text, int least, int most, string example)
    {
        if (text is null)
        {
            return null;
        }

        if (!int.TryParse(text.Trim(), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var value)
            || value < least || value > most)
        {
            throw new UsageException($"{option}: '{text}' is not a whole number from {least} to {most}: write one such as {option} {example}.");
        }

        return value;
    }
}
