namespace Tether.Journaling;

/// <summary>The directory is not a journal this version can use: no <c>journal.json</c> beside segments, a manifest of
/// another format or of a newer version, or a journal file that is a symbolic link.</summary>
public sealed class JournalFormatException : JournalException
{
    internal JournalFormatException(string directory, string reason)
        : base($"'{directory}' cannot be used as a journal: {reason}.")
    {
        Directory = directory;
        Reason = reason;
    }

    /// <summary>The journal directory.</summary>
    public string Directory { get; }

    /// <summary>Why, in words.</summary>
    public string Reason { get; }
}
