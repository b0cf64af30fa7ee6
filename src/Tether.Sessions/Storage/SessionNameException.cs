namespace Tether.Sessions;

/// <summary>A session name, id or tag that Tether does not accept. Names must be usable as file names: not empty, no
/// <c>/</c>, no NUL or other control character, not starting with <c>.</c>, at most 200 characters. Ids are UUIDs
/// (<c>xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx</c>), as rec's are.</summary>
public sealed class SessionNameException : ArgumentException
{
    internal SessionNameException(string what, string value, string reason, string? paramName)
        : base($"The {what} '{Printable(value)}' cannot be used: {reason}.", paramName)
    {
        Value = value;
        Reason = reason;
    }

    /// <summary>The name, id or tag that was refused.</summary>
    public string Value { get; }

    /// <summary>Why, in words.</summary>
    public string Reason { get; }

    /// <summary>The value with control characters shown as <c>\uXXXX</c> and cut to 80 characters, so that the message
    /// stays one readable line.</summary>
    private static string Printable(string value)
    {
        var shown = value.Length > 80 ? value[..80] + "…" : value;
        return string.Concat(shown.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
    }
}
