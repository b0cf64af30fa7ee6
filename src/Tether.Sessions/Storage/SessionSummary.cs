using System.Collections.Immutable;

namespace Tether.Sessions;

/// <summary>
/// One session file of a store as <see cref="SessionStore.List"/> sees it. A file that cannot be read (no readable
/// header, another format version, a symbolic link, no permission) is listed too, with <see cref="Unreadable"/> saying
/// why and only <see cref="Id"/> (its file name) and <see cref="Path"/> known.
/// </summary>
/// <param name="Name">The session's name; null when the file is unreadable.</param>
/// <param name="Id">The session's id; for an unreadable file, its file name without <c>.ndjson</c>.</param>
/// <param name="Tags">Its tags.</param>
/// <param name="Started">When the recording started; null when the file is unreadable.</param>
/// <param name="Ended">When it ended (from the footer); null while unfinished.</param>
/// <param name="CommandCount">The commands read from the file.</param>
/// <param name="Status">How it ended (from the footer); null while it is being recorded or when its shell died.</param>
/// <param name="Recovered">Whether it was saved by stale recovery.</param>
/// <param name="Path">The file.</param>
/// <param name="Problems">What could not be read normally (see <see cref="SessionLoad.Problems"/>).</param>
/// <param name="Unreadable">Why the file could not be read at all; null when it was read.</param>
public sealed record SessionSummary(
    string? Name,
    string Id,
    ImmutableArray<string> Tags,
    DateTimeOffset? Started,
    DateTimeOffset? Ended,
    int CommandCount,
    SessionStatus? Status,
    bool Recovered,
    string Path,
    IReadOnlyList<SessionProblem> Problems,
    string? Unreadable)
{
    /// <summary>Whether the file was read (possibly with problems).</summary>
    public bool IsReadable => Unreadable is null;

    /// <summary>Whether the recording has a footer (completed or interrupted).</summary>
    public bool IsFinished => Status is not null;

    internal static SessionSummary From(SessionLoad load)
    {
        var session = load.Session;
        return new SessionSummary(
            session.Name,
            session.Id,
            session.Header.Tags,
            session.Header.Started,
            session.Footer?.Ended,
            session.Commands.Length,
            session.Footer?.Status,
            session.Header.Recovered,
            load.Path,
            load.Problems,
            Unreadable: null);
    }

    internal static SessionSummary ForUnreadable(string path, string reason) =>
        new(null, System.IO.Path.GetFileNameWithoutExtension(path), [], null, null, 0, null, false, path, [], reason);
}
