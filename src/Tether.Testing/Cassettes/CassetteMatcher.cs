using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace Tether.Testing.Cassettes;

/// <summary>
/// Finds the cassette entry that answers an invocation: the key is program + arguments + working directory + whether
/// stdin was given + a digest of the stdin source (the environment is not part of it). A key recorded several times
/// answers with its entries in capture order, then with the last one forever.
/// </summary>
/// <remarks>Thread-safe: each key's cursor moves under a lock, so concurrent calls take consecutive entries.</remarks>
internal sealed class CassetteMatcher
{
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
            // An entry this library recorded holds arguments already redacted, exactly as a live invocation's key is
            // computed; one recorded elsewhere (processkit) may hold the secrets themselves, which match once redacted.
            // Redacting ours again could change them (a pattern matching the marker), so each entry answers both keys.
            var stored = KeyOf(entry);
            var redacted = Key(entry.Program, [.. redaction.For(entry.Program, entry.Arguments).Arguments.Select(Cassette.Lossy)], entry.WorkingDirectory, entry.HasStdin, entry.StdinDigest);
            Add(stored, entry);
            if (redacted != stored)
            {
                Add(redacted, entry);
            }
        }
    }

    /// <summary>The key of an entry as recorded: the fields of <paramref name="entry"/> that identify an invocation.</summary>
    public static string KeyOf(CassetteEntry entry) =>
        Key(entry.Program, entry.Arguments, entry.WorkingDirectory, entry.HasStdin, entry.StdinDigest);

    /// <summary>
    /// The entry that answers the next call with <paramref name="key"/>, moving that key's cursor on; null when the
    /// cassette has no entry for it.
    /// </summary>
    public CassetteEntry? Next(string key)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out var entries))
            {
                return null;
            }

            var index = _cursors.GetValueOrDefault(key);
            _cursors[key] = index + 1;
            return entries[Math.Min(index, entries.Count - 1)];
        }
    }

    private static string Key(string program, ImmutableArray<string> arguments, string? cwd, bool hasStdin, ulong? digest)
    {
        // NUL cannot occur in a program, an argument or a path (Command refuses it), so it separates fields unambiguously.
        var key = new StringBuilder(program);
        foreach (var argument in arguments)
        {
            key.Append('\0').Append('a').Append(argument);
        }

        key.Append('\0').Append(cwd is null ? "-" : "d" + cwd);
        key.Append('\0').Append(hasStdin ? 'i' : '-');
        key.Append('\0').Append(digest?.ToString(CultureInfo.InvariantCulture) ?? "-");
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
