using System.Collections.Immutable;
using System.Text.RegularExpressions;

namespace Tether.Sessions;

/// <summary>
/// Puts <c>{{HOME}}</c>, <c>{{USER}}</c> and <c>{{HOST}}</c> where the recorded values were, then fills
/// <c>{{NAME}}</c> placeholders from the caller's parameters, remembering which were filled, unfilled and unused.
/// One instance serves one export.
/// </summary>
internal sealed partial class Placeholders
{
    private readonly Regex? _recorded;
    private readonly IReadOnlyDictionary<string, string> _parameters;
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);
    private readonly SortedSet<string> _unfilled = new(StringComparer.Ordinal);

    private Placeholders(Regex? recorded, IReadOnlyDictionary<string, string> parameters)
    {
        _recorded = recorded;
        _parameters = parameters;
    }

    /// <summary>Placeholder names that had no value, sorted.</summary>
    public ImmutableArray<string> Unfilled => [.. _unfilled];

    /// <summary>Parameter names that matched no placeholder, sorted.</summary>
    public ImmutableArray<string> Unused => [.. _parameters.Keys.Where(k => !_used.Contains(k)).Order(StringComparer.Ordinal)];

    /// <summary>Prepares the substitutions <paramref name="options"/> ask for on <paramref name="session"/>.</summary>
    /// <exception cref="ArgumentException">A parameter name is not a placeholder name.</exception>
    public static Placeholders For(Session session, ExportOptions options)
    {
        var parameters = options.Parameters ?? ImmutableDictionary<string, string>.Empty;
        foreach (var (name, value) in parameters)
        {
            if (!NamePattern().IsMatch(name))
            {
                throw new ArgumentException($"'{name}' cannot name a placeholder: use letters, digits and _, not starting with a digit (as in {{{{HOME}}}}).", nameof(options));
            }

            ArgumentNullException.ThrowIfNull(value, $"{nameof(options)}.{nameof(ExportOptions.Parameters)}[{name}]");
        }

        return new Placeholders(options.Parameterize ? RecordedValues(session) : null, parameters);
    }

    /// <summary>Applies both steps to one piece of text (a command, a directory, a host name).</summary>
    public string Apply(string text)
    {
        if (_recorded is not null)
        {
            // One pass over all three values, so a replacement is never matched again by another value.
            text = _recorded.Replace(text, m => m.Groups["home"].Success ? "{{HOME}}" : m.Groups["host"].Success ? "{{HOST}}" : "{{USER}}");
        }

        return Placeholder().Replace(text, m =>
        {
            var name = m.Groups[1].Value;
            if (_parameters.TryGetValue(name, out var value))
            {
                _used.Add(name);
                return value;
            }

            _unfilled.Add(name);
            return m.Value;
        });
    }

    /// <summary>The home directory the session was recorded under, or null when it cannot be told.</summary>
    internal static string? RecordedHome(Session session)
    {
        if (session.Header.Environment.TryGetValue("HOME", out var home) && home.TrimEnd('/') is { Length: > 1 } trimmed)
        {
            return trimmed;
        }

        // Without HOME, the /home/NAME that every directory under /home shares (issue 6: "the longest common
        // /home/USER prefix of cwds"); directories elsewhere (/tmp, /srv) do not disqualify it, two users do.
        var owners = session.Commands
            .Select(c => HomeDirectory().Match(c.Cwd))
            .Where(m => m.Success)
            .Select(m => m.Value)
            .Distinct(StringComparer.Ordinal)
            .Take(2)
            .ToList();
        return owners.Count == 1 ? owners[0] : null;
    }

    private static Regex? RecordedValues(Session session)
    {
        var home = RecordedHome(session);
        var environment = session.Header.Environment;
        var user = environment.GetValueOrDefault("USER") is { Length: > 0 } u ? u
            : environment.GetValueOrDefault("LOGNAME") is { Length: > 0 } l ? l
            : home?.StartsWith("/home/", StringComparison.Ordinal) == true ? home["/home/".Length..] : null;
        var host = session.Header.Hostname;

        // Replacing these would rewrite ordinary words: "chown root:root", "curl localhost:8080", "-m a".
        if (user is null || user.Length < 2 || user == "root")
        {
            user = null;
        }

        if (host is null || host.Length < 2 || host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.StartsWith("localhost.", StringComparison.OrdinalIgnoreCase))
        {
            host = null;
        }

        var alternatives = new List<string>(3);
        if (home is not null)
        {
            // A path: not inside a longer path (/mnt/home/alice) or name (/home/alice2, /home/alice.bak).
            alternatives.Add($@"(?<home>(?<![\w.\-/]){Regex.Escape(home)}(?![\w.\-]))");
        }

        // Words: alice@box, /var/lib/alice, box.example.com — but not alice2, malice, box-builder.
        var words = new List<(string Group, string Value)>(2);
        if (host is not null)
        {
            words.Add(("host", host));
        }

        if (user is not null)
        {
            words.Add(("user", user));
        }

        foreach (var (group, value) in words.OrderByDescending(w => w.Value.Length))
        {
            alternatives.Add($@"(?<{group}>(?<![\w.\-]){Regex.Escape(value)}(?![\w\-]))");
        }

        return alternatives.Count == 0
            ? null
            : new Regex(string.Join('|', alternatives), RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture, TimeSpan.FromSeconds(5));
    }

    [GeneratedRegex(@"\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^/home/[^/]+", RegexOptions.CultureInvariant)]
    private static partial Regex HomeDirectory();
}
