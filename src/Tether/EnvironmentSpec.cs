using System.Collections;
using System.Collections.Immutable;

namespace Tether;

/// <summary>Where a command's environment starts from before explicit sets and removals apply.</summary>
public enum EnvironmentBase
{
    /// <summary>The whole environment of the current process.</summary>
    Inherit,

    /// <summary>Nothing: only explicitly set variables.</summary>
    Clear,

    /// <summary>Only the allow-listed variables of the current process.</summary>
    AllowList,
}

/// <summary>
/// An immutable description of a command's environment: a base (inherit, clear, allow-list) plus explicit sets and
/// removals. Values are never shown by <see cref="ToString"/>.
/// </summary>
public sealed class EnvironmentSpec
{
    private EnvironmentSpec(EnvironmentBase @base, ImmutableSortedSet<string> allowList, ImmutableSortedDictionary<string, string?> overrides)
    {
        Base = @base;
        AllowList = allowList;
        Overrides = overrides;
    }

    /// <summary>Inherit everything, change nothing.</summary>
    public static EnvironmentSpec Inherit { get; } = new(EnvironmentBase.Inherit, [], ImmutableSortedDictionary<string, string?>.Empty.WithComparers(StringComparer.Ordinal));

    /// <summary>The base.</summary>
    public EnvironmentBase Base { get; }

    /// <summary>The names inherited when <see cref="Base"/> is <see cref="EnvironmentBase.AllowList"/>.</summary>
    public ImmutableSortedSet<string> AllowList { get; }

    /// <summary>Explicit sets (value) and removals (null), applied after the base.</summary>
    public ImmutableSortedDictionary<string, string?> Overrides { get; }

    /// <summary>The final variables, computed against <paramref name="parent"/> (the current process environment when null).</summary>
    public IReadOnlyDictionary<string, string> Resolve(IDictionary? parent = null)
    {
        parent ??= System.Environment.GetEnvironmentVariables();
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (Base != EnvironmentBase.Clear)
        {
            foreach (DictionaryEntry entry in parent)
            {
                var name = (string)entry.Key;
                if (Base == EnvironmentBase.Inherit || AllowList.Contains(name))
                {
                    result[name] = (string?)entry.Value ?? string.Empty;
                }
            }
        }

        foreach (var (name, value) in Overrides)
        {
            if (value is null)
            {
                result.Remove(name);
            }
            else
            {
                result[name] = value;
            }
        }

        return result;
    }

    /// <summary>
    /// The final variables as name/value pairs in no particular order: the spawn path, which needs neither sorting
    /// nor a dictionary (a sorted copy per run was most of a run's allocations).
    /// </summary>
    internal List<KeyValuePair<string, string>> ResolveEntries()
    {
        if (Base == EnvironmentBase.Clear && Overrides.IsEmpty)
        {
            return [];
        }

        var parent = System.Environment.GetEnvironmentVariables();
        var entries = new List<KeyValuePair<string, string>>(parent.Count + Overrides.Count);
        if (Base != EnvironmentBase.Clear)
        {
            var enumerator = parent.GetEnumerator();
            while (enumerator.MoveNext())
            {
                var name = (string)enumerator.Key;
                if ((Base == EnvironmentBase.Inherit || AllowList.Contains(name)) && !Overrides.ContainsKey(name))
                {
                    entries.Add(new(name, (string?)enumerator.Value ?? string.Empty));
                }
            }
        }

        foreach (var (name, value) in Overrides)
        {
            if (value is not null)
            {
                entries.Add(new(name, value));
            }
        }

        return entries;
    }

    internal EnvironmentSpec Set(string name, string value)
    {
        ValidateName(name);
        return new(Base, AllowList, Overrides.SetItem(name, value));
    }

    internal EnvironmentSpec Remove(string name)
    {
        ValidateName(name);
        return new(Base, AllowList, Overrides.SetItem(name, null));
    }

    internal EnvironmentSpec WithBase(EnvironmentBase @base, IEnumerable<string> allowList)
    {
        var names = allowList.ToImmutableSortedSet(StringComparer.Ordinal);
        foreach (var name in names)
        {
            ValidateName(name);
        }

        return new(@base, names, Overrides);
    }

    /// <summary>Describes the base and the names changed, never the values.</summary>
    public override string ToString() =>
        $"{Base.ToString().ToLowerInvariant()}{(Base == EnvironmentBase.AllowList ? "(" + string.Join(',', AllowList) + ")" : "")}" +
        (Overrides.IsEmpty ? "" : " " + string.Join(' ', Overrides.Select(o => (o.Value is null ? "-" : "+") + o.Key)));

    private static void ValidateName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0 || name.Contains('=', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{name}' is not a valid environment variable name: it must be non-empty and contain neither '=' nor NUL.", nameof(name));
        }
    }
}
