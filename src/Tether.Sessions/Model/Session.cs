using System.Collections.Immutable;

namespace Tether.Sessions;

/// <summary>
/// A recorded shell session: its header, the commands in the order they ran, and — once the recording ended — its
/// footer. Immutable. Stored as NDJSON, one line each (docs/formats/session.md).
/// </summary>
public sealed record Session
{
    /// <summary>Who, where and when.</summary>
    public required SessionHeader Header { get; init; }

    /// <summary>The commands, by <see cref="RecordedCommand.Index"/>.</summary>
    public ImmutableArray<RecordedCommand> Commands { get; init; } = [];

    /// <summary>How the recording ended; null while it is still being recorded (or when its shell died).</summary>
    public SessionFooter? Footer { get; init; }

    /// <summary>The session's name (unique in a store).</summary>
    public string Name => Header.Name;

    /// <summary>The session's id (unique, stable across renames).</summary>
    public string Id => Header.Id;
}

/// <summary>The first line of a session.</summary>
public sealed record SessionHeader
{
    /// <summary>The format version: 2.</summary>
    public int Version { get; init; } = 2;

    /// <summary>A unique id (a UUID in rec's files and in ours).</summary>
    public required string Id { get; init; }

    /// <summary>The name.</summary>
    public required string Name { get; init; }

    /// <summary>The shell it was recorded in: <c>bash</c>, <c>zsh</c>, <c>fish</c>; null when unknown (imported).</summary>
    public string? Shell { get; init; }

    /// <summary>The operating system, such as <c>linux</c>.</summary>
    public string? Os { get; init; }

    /// <summary>The host name.</summary>
    public string? Hostname { get; init; }

    /// <summary>The selected environment variables recorded with the session (never secrets: an allow-list).</summary>
    public ImmutableSortedDictionary<string, string> Environment { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    /// <summary>Tags, for <c>rec list --tag</c>.</summary>
    public ImmutableArray<string> Tags { get; init; } = [];

    /// <summary>True when the session was saved from a recording whose shell died (stale recovery).</summary>
    public bool Recovered { get; init; }

    /// <summary>When the recording started.</summary>
    public required DateTimeOffset Started { get; init; }
}

/// <summary>One command of a session.</summary>
public sealed record RecordedCommand
{
    /// <summary>Its position, from 0 (rec numbers from 0 in files; listings show index + 1 where rec does).</summary>
    public required int Index { get; init; }

    /// <summary>The command line as typed.</summary>
    public required string Command { get; init; }

    /// <summary>The working directory it ran in.</summary>
    public required string Cwd { get; init; }

    /// <summary>When it started.</summary>
    public required DateTimeOffset Started { get; init; }

    /// <summary>When it ended; null when unknown (imported from a history file without timing).</summary>
    public DateTimeOffset? Ended { get; init; }

    /// <summary>Its exit code; null when unknown.</summary>
    public int? ExitCode { get; init; }

    /// <summary>How long it ran; null when unknown.</summary>
    public TimeSpan? Duration { get; init; }
}

/// <summary>The last line of a finished session.</summary>
public sealed record SessionFooter
{
    /// <summary>When the recording ended.</summary>
    public required DateTimeOffset Ended { get; init; }

    /// <summary>How many commands it holds.</summary>
    public required int CommandCount { get; init; }

    /// <summary>How it ended.</summary>
    public required SessionStatus Status { get; init; }
}

/// <summary>How a recording ended.</summary>
public enum SessionStatus
{
    /// <summary>Stopped with <c>rec stop</c>.</summary>
    Completed,

    /// <summary>The shell went away (saved by stale recovery) or the recording was interrupted.</summary>
    Interrupted,
}
