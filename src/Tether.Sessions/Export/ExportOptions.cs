using System.Collections.Immutable;

namespace Tether.Sessions;

/// <summary>How <see cref="SessionExporter.Export"/> renders a session. Immutable; the defaults suit a replay on the same machine.</summary>
public sealed record ExportOptions
{
    /// <summary>Keep everything as recorded, failed commands included.</summary>
    public static ExportOptions Default { get; } = new();

    /// <summary>
    /// Replace the recorded home directory, user name and host name in commands, directories and header comments with
    /// <c>{{HOME}}</c>, <c>{{USER}}</c> and <c>{{HOST}}</c>, so the export carries no machine-specific values.
    /// </summary>
    /// <remarks>
    /// The home directory is the header's <c>HOME</c> variable or, without one, the <c>/home/NAME</c> that every
    /// directory under <c>/home</c> shares. The user is <c>USER</c>, else <c>LOGNAME</c>, else that NAME; the host is
    /// <see cref="SessionHeader.Hostname"/>. Only whole words are replaced (<c>/home/al</c> never touches
    /// <c>/home/alice</c>); a user <c>root</c>, a host <c>localhost</c> and names shorter than two characters are left
    /// alone because replacing them would rewrite ordinary words.
    /// </remarks>
    public bool Parameterize { get; init; }

    /// <summary>
    /// Values for <c>{{NAME}}</c> placeholders (names are letters, digits and <c>_</c>, not starting with a digit),
    /// filled after <see cref="Parameterize"/> in one pass: a value is inserted as is, never searched for placeholders
    /// itself. A placeholder without a value stays in the text and is listed in <see cref="ExportResult.Unfilled"/>.
    /// </summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>
    /// Keep commands that failed when recorded (the default). They are marked with their exit code and run so that
    /// their failure does not stop the export, as it did not stop the session. When false they are left out and
    /// listed in <see cref="ExportResult.Omitted"/>.
    /// </summary>
    public bool IncludeFailed { get; init; } = true;

    /// <summary>The image a Dockerfile starts <c>FROM</c> and a GitLab job runs in; it needs bash.</summary>
    public string Image { get; init; } = "ubuntu:24.04";
}
