namespace Tether.Sessions;

/// <summary>No session of a store has the name or id asked for. <see cref="Suggestions"/> holds the closest names (by
/// edit distance), which the message offers as "did you mean".</summary>
public sealed class SessionNotFoundException : Exception
{
    internal SessionNotFoundException(string name, IReadOnlyList<string> suggestions, string directory)
        : base(Describe(name, suggestions, directory))
    {
        Name = name;
        Suggestions = suggestions;
        Directory = directory;
    }

    /// <summary>The name or id that was asked for.</summary>
    public string Name { get; }

    /// <summary>The names of the store's sessions closest to <see cref="Name"/>, closest first (at most three); empty
    /// when none is close.</summary>
    public IReadOnlyList<string> Suggestions { get; }

    /// <summary>The store's directory.</summary>
    public string Directory { get; }

    private static string Describe(string name, IReadOnlyList<string> suggestions, string directory) =>
        suggestions.Count == 0
            ? $"No session is named '{name}' (and none has that id) in '{directory}'; list the sessions to see their names."
            : $"No session is named '{name}' (and none has that id) in '{directory}'. Did you mean {string.Join(" or ", suggestions.Select(s => $"'{s}'"))}?";
}
