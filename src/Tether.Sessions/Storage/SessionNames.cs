namespace Tether.Sessions;

/// <summary>The rules for names, ids and tags, and the "did you mean" suggestions.</summary>
internal static class SessionNames
{
    /// <summary>The longest name accepted, in characters.</summary>
    public const int MaxNameLength = 200;

    /// <summary>Refuses a name that could not be a file name: empty, a <c>/</c>, NUL or another control character, a
    /// leading <c>.</c>, or more than <see cref="MaxNameLength"/> characters.</summary>
    public static void ValidateName(string name, string? paramName)
    {
        ArgumentNullException.ThrowIfNull(name, paramName);
        var reason = name switch
        {
            "" => "a name cannot be empty",
            _ when name.Length > MaxNameLength => $"a name may have at most {MaxNameLength} characters, and it has {name.Length}",
            _ when name.Contains('/', StringComparison.Ordinal) => "a name cannot contain '/'",
            _ when name.Contains('\0', StringComparison.Ordinal) => "a name cannot contain a NUL character",
            _ when name.Any(char.IsControl) => "a name cannot contain a control character (such as a newline or a tab)",
            _ when name[0] == '.' => "a name cannot start with '.'",
            _ when string.IsNullOrWhiteSpace(name) => "a name cannot be only spaces",
            _ => null,
        };

        if (reason is not null)
        {
            throw new SessionNameException("session name", name, reason + $" (a session name is 1 to {MaxNameLength} characters, without '/' or control characters, and does not start with '.')", paramName);
        }
    }

    /// <summary>Refuses an id that is not a UUID in its usual form (rec's ids are UUIDs, and rec cannot read another).</summary>
    public static void ValidateId(string id, string? paramName)
    {
        ArgumentNullException.ThrowIfNull(id, paramName);
        if (!Guid.TryParseExact(id, "D", out _))
        {
            throw new SessionNameException("session id", id, "an id is a UUID written as xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", paramName);
        }
    }

    /// <summary>Refuses an empty tag, one of only spaces, or one with a control character.</summary>
    public static void ValidateTag(string tag, string? paramName)
    {
        ArgumentNullException.ThrowIfNull(tag, paramName);
        var reason = tag switch
        {
            _ when string.IsNullOrWhiteSpace(tag) => "a tag cannot be empty or only spaces",
            _ when tag.Any(char.IsControl) => "a tag cannot contain a control character",
            _ when tag.Length > MaxNameLength => $"a tag may have at most {MaxNameLength} characters",
            _ => null,
        };

        if (reason is not null)
        {
            throw new SessionNameException("tag", tag, reason, paramName);
        }
    }

    /// <summary>The (at most three) names closest to <paramref name="wanted"/>: within an edit distance of a third of its
    /// length (at least 2), or containing it, closest first. Case is ignored when measuring.</summary>
    public static IReadOnlyList<string> Suggest(string wanted, IEnumerable<string> names)
    {
        var target = wanted.ToUpperInvariant();
        var limit = Math.Max(2, wanted.Length / 3);
        return names
            .Distinct(StringComparer.Ordinal)
            .Select(name => (Name: name, Distance: EditDistance(target, name.ToUpperInvariant())))
            .Where(c => c.Distance <= limit || (wanted.Length >= 3 && c.Name.Contains(wanted, StringComparison.OrdinalIgnoreCase)))
            .OrderBy(c => c.Distance)
            .ThenBy(c => c.Name, StringComparer.Ordinal)
            .Take(3)
            .Select(c => c.Name)
            .ToList();
    }

    /// <summary>Levenshtein distance (insertions, deletions, substitutions), two rows of memory.</summary>
    internal static int EditDistance(string a, string b)
    {
        if (a.Length == 0 || b.Length == 0)
        {
            return Math.Max(a.Length, b.Length);
        }

        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
