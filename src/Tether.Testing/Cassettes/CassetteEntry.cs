using System.Collections.Immutable;

namespace Tether.Testing;

/// <summary>
/// One captured invocation and its result, as a cassette file stores it (processkit's format, versions 1 to 4). Text
/// is UTF-8; output that is not valid text is also kept as its exact bytes. Environment values are never stored, only
/// names.
/// </summary>
public sealed record CassetteEntry
{
    /// <summary>The program as given.</summary>
    public required string Program { get; init; }

    /// <summary>The arguments (with secrets replaced by the redaction marker when recorded by Tether).</summary>
    public ImmutableArray<string> Arguments { get; init; } = [];

    /// <summary>
    /// The working directory, or null when the invocation did not set one. Part of the match key when
    /// <see cref="MatchesWorkingDirectory"/> is true.
    /// </summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>
    /// True when <see cref="WorkingDirectory"/> is part of the match key, as it is for every entry Tether records and
    /// for processkit's versions 1 and 2; false for processkit's versions 3 and 4, which store it only to be read.
    /// </summary>
    public bool MatchesWorkingDirectory { get; init; } = true;

    /// <summary>
    /// processkit's match policy digest (version 4, <c>match_digest</c>): the working directory and the values of
    /// chosen environment variables, hashed. Part of the match key; null when the entry was recorded without a policy.
    /// </summary>
    public ulong? MatchDigest { get; init; }

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
    /// The exact stdout bytes, when <see cref="Stdout"/> cannot give them back (output that is not valid UTF-8, stored
    /// as <c>stdout_b64</c>); null when the text is the output.
    /// </summary>
    public ReadOnlyMemory<byte>? StdoutBytes { get; init; }

    /// <summary>The exact stderr bytes, when <see cref="Stderr"/> cannot give them back (<c>stderr_b64</c>); null otherwise.</summary>
    public ReadOnlyMemory<byte>? StderrBytes { get; init; }

    /// <summary>True when processkit recorded output that its output limit had cut (<c>truncated</c>).</summary>
    public bool Truncated { get; init; }

    /// <summary>The lines processkit counted behind an output overflow (<c>total_lines</c>); 0 when not recorded.</summary>
    public long TotalLines { get; init; }

    /// <summary>The bytes processkit counted behind an output overflow (<c>total_bytes</c>); 0 when not recorded.</summary>
    public long TotalBytes { get; init; }

    /// <summary>How long the recorded run took (<c>duration_ms</c>); zero when not recorded.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>
    /// The error the recorded call returned instead of a result (processkit's <c>error</c>, version 2 and later), or
    /// null. An entry with a failure has no output and its <see cref="Outcome"/> is not used.
    /// </summary>
    public CassetteFailure? Failure { get; init; }

    /// <summary>
    /// How the run ended. A timeout is stored without its duration (the replaying command's timeout is reported); a
    /// signal may be unknown (null).
    /// </summary>
    public required Outcome Outcome { get; init; }

    /// <summary>The command line, for listings.</summary>
    public string CommandLine => string.Join(' ', new[] { Program }.Concat(Arguments).Select(Quote));

    /// <summary>
    /// The outcome in the cassette's words: <c>exit N</c>, <c>signal N</c>, <c>signal ?</c> or <c>timed out</c>; for an
    /// entry with a recorded error, the error (<c>program not found</c>, <c>spawn error: …</c>).
    /// </summary>
    public string OutcomeText => Failure is { } failure ? failure.ToString() : Outcome switch
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
