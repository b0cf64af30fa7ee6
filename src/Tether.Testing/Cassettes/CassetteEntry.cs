using System.Collections.Immutable;

namespace Tether.Testing;

/// <summary>
/// One captured invocation and its result, as a cassette file stores it (processkit's format, version 1). Text is
/// UTF-8 (lossy: undecodable output was replaced when recorded); environment values are never stored, only names.
/// </summary>
public sealed record CassetteEntry
{
    /// <summary>The program as given.</summary>
    public required string Program { get; init; }

    /// <summary>The arguments (with secrets replaced by the redaction marker when recorded by Tether).</summary>
    public ImmutableArray<string> Arguments { get; init; } = [];

    /// <summary>The working directory, or null when the invocation did not set one. Part of the match key.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>The 64-bit FNV-1a digest of the stdin source, or null when no stdin was given. Part of the match key.</summary>
    public ulong? StdinDigest { get; init; }

    /// <summary>True when stdin was given. Part of the match key.</summary>
    public bool HasStdin { get; init; }

    /// <summary>The names of the environment variables the invocation set or removed, sorted and de-duplicated.</summary>
    public ImmutableArray<string> EnvironmentNames { get; init; } = [];

    /// <summary>Captured stdout.</summary>
    public string Stdout { get; init; } = "";

    /// <summary>Captured stderr.</summary>
    public string Stderr { get; init; } = "";

    /// <summary>
    /// How the run ended. A timeout is stored without its duration (the replaying command's timeout is reported); a
    /// signal may be unknown (null).
    /// </summary>
    public required Outcome Outcome { get; init; }

    /// <summary>The command line, for listings.</summary>
    public string CommandLine => string.Join(' ', new[] { Program }.Concat(Arguments).Select(Quote));

    /// <summary>The outcome in the cassette's words: <c>exit N</c>, <c>signal N</c>, <c>signal ?</c> or <c>timed out</c>.</summary>
    public string OutcomeText => Outcome switch
    {
        Outcome.Exited exited => $"exit {exited.Code}",
        Outcome.Signalled { Signal: { } signal } => $"signal {signal.Number} ({signal})",
        Outcome.Signalled => "signal ?",
        _ => "timed out",
    };

    internal static string Quote(string text) =>
        text.Length > 0 && text.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:@%+,".Contains(c, StringComparison.Ordinal))
            ? text
            : "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
