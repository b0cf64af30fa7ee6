namespace Tether.Sessions;

/// <summary>How <see cref="SessionImporter"/> imports a file.</summary>
public sealed record ImportOptions
{
    /// <summary>The session's name; null for <c>imported-FILENAME</c> (a session file keeps its own name).</summary>
    public string? Name { get; init; }

    /// <summary>The kind of file; null to detect it (see <see cref="SessionImporter.Detect(string)"/>).</summary>
    public ImportFormat? Format { get; init; }

    /// <summary>The working directory given to every command, since history files and scripts do not say where a
    /// command ran; null for the current directory (the one the import runs in).</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>The clock for "now" (the time of the import); default: the system's.</summary>
    public TimeProvider? TimeProvider { get; init; }
}
