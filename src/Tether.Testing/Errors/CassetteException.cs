namespace Tether.Testing;

/// <summary>What is wrong with a cassette file.</summary>
public enum CassetteProblem
{
    /// <summary>The file does not exist.</summary>
    NotFound,

    /// <summary>The file could not be read (permissions, a directory, an I/O error).</summary>
    Unreadable,

    /// <summary>The file is larger than <see cref="Cassette.MaxFileBytes"/>.</summary>
    TooLarge,

    /// <summary>The file is not valid JSON.</summary>
    InvalidJson,

    /// <summary>The file's format version is not one tether reads (1 to 4).</summary>
    UnsupportedVersion,

    /// <summary>The JSON is valid but an entry (or the document's shape) is not a valid cassette.</summary>
    InvalidEntry,

    /// <summary>The cassette could not be written; the previous file, if any, is intact.</summary>
    Unwritable,
}

/// <summary>
/// A cassette file could not be loaded or saved. <see cref="Problem"/> says why; the message names the file and says
/// what to do. A load never changes the file; a failed save leaves the previous file intact.
/// </summary>
public sealed class CassetteException : Exception
{
    internal CassetteException(CassetteProblem problem, string path, string message, Exception? inner = null)
        : base(message, inner)
    {
        Problem = problem;
        CassettePath = path;
    }

    /// <summary>What is wrong.</summary>
    public CassetteProblem Problem { get; }

    /// <summary>The cassette file.</summary>
    public string CassettePath { get; }
}
