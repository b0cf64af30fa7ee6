namespace Tether.Sessions;

/// <summary>A file could not be imported: it holds no command, or it is not of the format it was said to be.</summary>
public sealed class ImportException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ImportException(string path, string reason)
        : base($"Cannot import '{path}': {reason}.")
    {
        Path = path;
        Reason = reason;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>Why, in words.</summary>
    public string Reason { get; }
}
