using System.Text.Encodings.Web;
using System.Text.Json.Nodes;
using System.Text.Json;
using System.Text;
using Tether.IO;

namespace Tether.Sessions;

// Changes to a finished or unfinished session: every one is an atomic replace of the whole file, made while holding
// the file's lock so that a recorder appending at the same time waits and then appends to the new file.
public sealed partial class SessionStore
{
    private static readonly JsonSerializerOptions HeaderPatchOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Renames a session. Only the header line changes (its other members, including any this version does not know,
    /// are kept); every other line is kept byte for byte, unreadable ones included. Atomic.
    /// </summary>
    /// <exception cref="SessionNameException">The new name is not acceptable.</exception>
    /// <exception cref="SessionExistsException">Another session has the new name; nothing is changed.</exception>
    /// <exception cref="SessionNotFoundException">No such session.</exception>
    public void Rename(string nameOrId, string newName)
    {
        SessionNames.ValidateName(newName, nameof(newName));
        using var storeLock = LockStore();
        var path = Find(nameOrId) ?? throw NotFound(nameOrId);
        RefuseTakenName(newName, exceptPath: path);
        RewriteHeader(path, (json, header) =>
        {
            if (string.Equals(header.Name, newName, StringComparison.Ordinal))
            {
                return false;
            }

            json["name"] = newName;
            return true;
        });
    }

    /// <summary>Adds tags (those it already has are skipped; order is kept). Rewrites the header line only, atomically.</summary>
    /// <exception cref="SessionNameException">A tag is empty or has a control character.</exception>
    /// <exception cref="SessionNotFoundException">No such session.</exception>
    public void Tag(string nameOrId, params string[] tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        foreach (var tag in tags)
        {
            SessionNames.ValidateTag(tag, nameof(tags));
        }

        var path = Find(nameOrId) ?? throw NotFound(nameOrId);
        RewriteHeader(path, (json, header) =>
        {
            var result = header.Tags.ToList();
            foreach (var tag in tags.Where(tag => !result.Contains(tag, StringComparer.Ordinal)))
            {
                result.Add(tag);
            }

            return SetTags(json, header, result);
        });
    }

    /// <summary>Removes tags (a tag the session does not have is ignored). Rewrites the header line only, atomically.</summary>
    /// <exception cref="SessionNotFoundException">No such session.</exception>
    public void Untag(string nameOrId, params string[] tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        var path = Find(nameOrId) ?? throw NotFound(nameOrId);
        RewriteHeader(path, (json, header) => SetTags(json, header, header.Tags.Where(tag => !tags.Contains(tag, StringComparer.Ordinal)).ToList()));
    }

    /// <summary>Deletes a session's file (and any torn-line sidecar files cut off it). A recorder still appending to it
    /// fails on its next append.</summary>
    /// <exception cref="SessionNotFoundException">No such session.</exception>
    public void Delete(string nameOrId)
    {
        var path = Find(nameOrId) ?? throw NotFound(nameOrId);
        using (LockedSessionFile.Open(path))
        {
            DurableFile.Delete(path);
        }

        foreach (var sidecar in SessionFiles.TornSidecars(path))
        {
            DurableFile.Delete(sidecar);
        }

        DurableFile.SyncDirectory(Directory);
    }

    /// <summary>
    /// Copies a session under a new name and a new id, with the same commands, footer, tags and environment. Lines the
    /// source's load reported as unreadable are not copied. Returns the copy.
    /// </summary>
    /// <exception cref="SessionNameException">The new name is not acceptable.</exception>
    /// <exception cref="SessionExistsException">A session has the new name; nothing is written.</exception>
    /// <exception cref="SessionNotFoundException">No such session.</exception>
    public Session Copy(string nameOrId, string newName)
    {
        SessionNames.ValidateName(newName, nameof(newName));
        var source = Load(nameOrId).Session;
        var copy = source with { Header = source.Header with { Id = Guid.NewGuid().ToString("D"), Name = newName } };
        Save(copy);
        return copy;
    }

    /// <summary>
    /// Writes a whole session atomically (temp file, fsync, rename): replaces the file of the session with the same id,
    /// or creates it. What is written is exactly <paramref name="session"/>: lines of the old file that its load
    /// reported as unreadable are gone afterwards.
    /// </summary>
    /// <exception cref="SessionNameException">The name is not acceptable, or the id is not a UUID.</exception>
    /// <exception cref="SessionExistsException">Another session (another id) has the name; nothing is changed.</exception>
    /// <exception cref="IOException">The file could not be written (the old one is intact), or it is a symbolic link.</exception>
    public void Save(Session session)
    {
        ArgumentNullException.ThrowIfNull(session);
        SessionNames.ValidateName(session.Name, nameof(session));
        SessionNames.ValidateId(session.Id, nameof(session));
        var content = Encoding.UTF8.GetBytes(SessionFormat.Write(session));

        using var storeLock = LockStore();
        var path = PathOf(session.Id);
        RefuseTakenName(session.Name, exceptPath: path);
        if (DurableFile.TryStat(path) is null)
        {
            SessionFiles.ReplaceAtomically(path, content, BeforeReplace);
            return;
        }

        using var file = LockedSessionFile.Open(path);
        SessionFiles.ReplaceAtomically(path, content, BeforeReplace);
    }

    private static bool SetTags(JsonObject json, SessionHeader header, List<string> tags)
    {
        if (tags.SequenceEqual(header.Tags, StringComparer.Ordinal))
        {
            return false;
        }

        json["tags"] = new JsonArray(tags.Select(tag => (JsonNode?)JsonValue.Create(tag)).ToArray());
        return true;
    }

    /// <summary>
    /// Rewrites the header line of the file at <paramref name="path"/> through <paramref name="edit"/> (which returns
    /// false when nothing changes), keeping every other byte of the file, under the file's lock, atomically.
    /// </summary>
    private void RewriteHeader(string path, Func<JsonObject, SessionHeader, bool> edit)
    {
        using var file = LockedSessionFile.Open(path);
        var content = SessionFiles.ReadAll(file.Handle, path);
        var end = Array.IndexOf(content, (byte)'\n');
        if (end < 0)
        {
            throw new SessionFormatException(path, 1, "the header line is incomplete (the recording was cut off as it started)");
        }

        var headerLine = content.AsMemory(0, end);
        var header = SessionFormat.TryParseHeader(headerLine)
                     ?? throw new SessionFormatException(path, 1, "the first line is not a readable version-2 session header");
        var json = JsonNode.Parse(headerLine.Span) as JsonObject
                   ?? throw new SessionFormatException(path, 1, "the first line is not a JSON object");
        if (!edit(json, header))
        {
            return;
        }

        var newHeader = Encoding.UTF8.GetBytes(json.ToJsonString(HeaderPatchOptions));
        var rewritten = new byte[newHeader.Length + (content.Length - end)];
        newHeader.CopyTo(rewritten, 0);
        content.AsSpan(end).CopyTo(rewritten.AsSpan(newHeader.Length));
        SessionFiles.ReplaceAtomically(path, rewritten, BeforeReplace);
    }
}
