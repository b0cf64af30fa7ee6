using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace Tether.Testing.Cassettes;

/// <summary>
/// Finds the cassette entry that answers an invocation: the key is program + arguments + whether stdin was given + a
/// digest of the stdin source, and the working directory as the entry's version keys it (the environment is never part
/// of it). An entry Tether recorded, or one from processkit's versions 1 and 2, keys on the working directory as given;
/// one from versions 3 and 4 does not, unless its <c>match_digest</c> carries it. A key recorded several times answers
/// with its entries in capture order, then with the last one forever.
/// </summary>
/// <remarks>Thread-safe: each key's cursor moves under a lock, so concurrent calls take consecutive entries.</remarks>
internal sealed class CassetteMatcher
{
    /// <summary>The working directory part of a key that does not key on the working directory.</summary>
    private const string AnyDirectory = "*";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<CassetteEntry>> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _cursors = new(StringComparer.Ordinal);

    /// <summary>Indexes <paramref name="loaded"/>, as read from a cassette, by their keys.</summary>
    /// <param name="loaded">The entries, in capture order.</param>
    /// <param name="redaction">The rules a live invocation's arguments pass through before its key is computed.</param>
    public CassetteMatcher(IEnumerable<CassetteEntry> loaded, RedactionPolicy redaction)
    {
        foreach (var entry in loaded)
        {
            // An entry Tether recorded holds arguments already redacted, exactly as a live invocation's key is
            // computed; one recorded elsewhere (processkit) may hold the secrets themselves, which match once redacted.
            // Redacting ours again could change them (a pattern matching the marker), so each entry answers both keys.
            var stored = KeyOf(entry);
            var redacted = KeyOf(entry with { Arguments = [.. redaction.For(entry.Program, entry.Arguments).Arguments.Select(Cassette.Lossy)] });
            Add(stored, entry);
            if (redacted != stored)
            {
                Add(redacted, entry);
            }
        }
    }

    /// <summary>The key of an entry as recorded: the fields of <paramref name="entry"/> that identify an invocation.</summary>
    public static string KeyOf(CassetteEntry entry) =>
        Key(entry.Program, entry.Arguments, entry.MatchesWorkingDirectory ? Directory(entry.WorkingDirectory) : AnyDirectory, entry.HasStdin, entry.StdinDigest, entry.MatchDigest);

    /// <summary>
    /// The keys a live invocation (an entry without a result, keyed on its working directory) is looked up by, most
    /// specific first: the working directory as given (Tether's entries, versions 1 and 2), the digest of processkit's
    /// working directory policy (version 4 written with <c>match_on_cwd()</c>, and Tether's own version 4 files), and
    /// no working directory at all (versions 3 and 4 without a policy).
    /// </summary>
    public static ImmutableArray<string> KeysOf(CassetteEntry call) =>
    [
        Key(call.Program, call.Arguments, Directory(call.WorkingDirectory), call.HasStdin, call.StdinDigest, null),
        Key(call.Program, call.Arguments, AnyDirectory, call.HasStdin, call.StdinDigest, MatchDigest.OfWorkingDirectory(call.WorkingDirectory)),
        Key(call.Program, call.Arguments, AnyDirectory, call.HasStdin, call.StdinDigest, null),
    ];

    /// <summary>
    /// The entry that answers the next call with the first of <paramref name="keys"/> the cassette has, moving that key's
    /// cursor on; null when the cassette has no entry for any of them.
    /// </summary>
    public CassetteEntry? Next(ImmutableArray<string> keys)
    {
        lock (_lock)
        {
            foreach (var key in keys)
            {
                if (_entries.TryGetValue(key, out var entries))
                {
                    var index = _cursors.GetValueOrDefault(key);
                    _cursors[key] = index + 1;
                    return entries[Math.Min(index, entries.Count - 1)];
                }
            }

            return null;
        }
    }

    private static string Directory(string? cwd) => cwd is null ? "-" : "d" + cwd;

    private static string Key(string program, ImmutableArray<string> arguments, string cwd, bool hasStdin, ulong? digest, ulong? matchDigest)
    {
        // NUL cannot occur in a program, an argument or a path (Command refuses it), so it separates fields unambiguously.
        var key = new StringBuilder(program);
        foreach (var argument in arguments)
        {
            key.Append('\0').Append('a').Append(argument);
        }

        key.Append('\0').Append(cwd);
        key.Append('\0').Append(hasStdin ? 'i' : '-');
        key.Append('\0').Append(digest?.ToString(CultureInfo.InvariantCulture) ?? "-");
        key.Append('\0').Append(matchDigest?.ToString(CultureInfo.InvariantCulture) ?? "-");
        return key.ToString();
    }

    private void Add(string key, CassetteEntry entry)
    {
        if (!_entries.TryGetValue(key, out var list))
        {
            _entries[key] = list = [];
        }

        list.Add(entry);
    }
}
