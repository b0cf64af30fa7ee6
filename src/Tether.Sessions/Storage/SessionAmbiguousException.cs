namespace Tether.Sessions;

/// <summary>More than one session of the store has the name asked for. Tether never creates such a pair, but files
/// written by another program (rec, a copy by hand) can; the session must then be named by its id.</summary>
public sealed class SessionAmbiguousException : Exception
{
    internal SessionAmbiguousException(string name, IReadOnlyList<string> ids, string directory)
        : base($"{ids.Count} sessions are named '{name}' in '{directory}' (ids {string.Join(", ", ids)}); name the one you mean by its id.")
    {
        Name = name;
        Ids = ids;
    }

    /// <summary>The name that was asked for.</summary>
    public string Name { get; }

    /// <summary>The ids of the sessions that have it.</summary>
    public IReadOnlyList<string> Ids { get; }
}
