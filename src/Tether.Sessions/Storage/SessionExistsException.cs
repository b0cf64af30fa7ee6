namespace Tether.Sessions;

/// <summary>A session with that name, or with that id, is already in the store: names and ids are unique, so creating,
/// renaming, copying or saving to it is refused and nothing is changed.</summary>
public sealed class SessionExistsException : Exception
{
    internal SessionExistsException(string nameOrId, bool isId, string path)
        : base(isId
            ? $"A session with the id '{nameOrId}' already exists ('{path}'); nothing was changed."
            : $"A session named '{nameOrId}' already exists ('{path}'); choose another name, or rename or delete that one first. Nothing was changed.")
    {
        Name = nameOrId;
        IsId = isId;
        Path = path;
    }

    /// <summary>The name (or, when <see cref="IsId"/>, the id) that is taken.</summary>
    public string Name { get; }

    /// <summary>Whether it is the id, not the name, that is taken.</summary>
    public bool IsId { get; }

    /// <summary>The file of the session that has it.</summary>
    public string Path { get; }
}
