using Tether.IO;

namespace Tether.Sessions;

// Finding a session by name or id. The id is the file name, so an id is found without reading anything; a name is
// found by reading the first line (the header) of each session file.
public sealed partial class SessionStore
{
    /// <summary>
    /// Finds a session's file by id (its file name) or, failing that, by name (its header, compared exactly). False when
    /// there is none.
    /// </summary>
    /// <exception cref="SessionAmbiguousException">Several sessions have that name (files from another program).</exception>
    public bool TryFind(string nameOrId, out string path)
    {
        path = Find(nameOrId) ?? "";
        return path.Length > 0;
    }

    private string? Find(string nameOrId)
    {
        ArgumentNullException.ThrowIfNull(nameOrId);
        if (nameOrId.Length == 0)
        {
            return null;
        }

        if (CouldBeFileName(nameOrId))
        {
            var byId = PathOf(nameOrId);
            if (DurableFile.TryStat(byId) is not null)
            {
                return byId;
            }
        }

        var matches = ReadHeaders().Where(h => string.Equals(h.Header.Name, nameOrId, StringComparison.Ordinal)).ToList();
        return matches.Count switch
        {
            0 => null,
            1 => matches[0].Path,
            _ => throw new SessionAmbiguousException(nameOrId, matches.Select(m => m.Header.Id).ToList(), Directory),
        };
    }

    /// <summary>The headers of the readable session files.</summary>
    private IEnumerable<(string Path, SessionHeader Header)> ReadHeaders()
    {
        foreach (var path in SessionPaths())
        {
            if (SessionFiles.TryReadHeader(path) is { } header)
            {
                yield return (path, header);
            }
        }
    }

    /// <summary>Refuses <paramref name="name"/> when a session other than the one at <paramref name="exceptPath"/> has
    /// it. The caller holds the store lock.</summary>
    private void RefuseTakenName(string name, string? exceptPath)
    {
        foreach (var (path, header) in ReadHeaders())
        {
            if (string.Equals(header.Name, name, StringComparison.Ordinal) && !string.Equals(path, exceptPath, StringComparison.Ordinal))
            {
                throw new SessionExistsException(name, isId: false, path);
            }
        }
    }

    private SessionNotFoundException NotFound(string nameOrId) =>
        new(nameOrId, SessionNames.Suggest(nameOrId, ReadHeaders().Select(h => h.Header.Name)), Directory);

    private static bool CouldBeFileName(string value) =>
        !value.Contains('/', StringComparison.Ordinal) && !value.Contains('\0', StringComparison.Ordinal) && value[0] != '.';
}
