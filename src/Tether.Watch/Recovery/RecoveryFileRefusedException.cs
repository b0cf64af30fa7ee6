namespace Tether.Watch;

/// <summary>Why a recovery command file was refused (see <see cref="RecoveryCommand.FromFile"/>).</summary>
public enum RecoveryFileRefusal
{
    /// <summary>No file at that path (or a directory on the way is missing).</summary>
    Missing,

    /// <summary>The path names a symbolic link; links are refused, whatever they point to.</summary>
    SymbolicLink,

    /// <summary>The path names a directory, a FIFO, a socket or a device rather than a regular file.</summary>
    NotRegularFile,

    /// <summary>The file is owned by another user than the watcher's effective user.</summary>
    WrongOwner,

    /// <summary>The group may write the file.</summary>
    GroupWritable,

    /// <summary>Everyone may write the file.</summary>
    WorldWritable,

    /// <summary>The file could not be opened or read (permission denied, I/O error).</summary>
    Unreadable,

    /// <summary>The file was replaced between the checks and the read.</summary>
    Changed,

    /// <summary>The file is larger than <see cref="RecoveryCommand.MaxFileBytes"/>.</summary>
    TooLarge,

    /// <summary>The file is not valid UTF-8 text.</summary>
    NotText,

    /// <summary>The file is empty or only blank.</summary>
    Empty,

    /// <summary>The file holds only comment lines (and blank ones).</summary>
    NoCommand,

    /// <summary>The file holds more than one command line.</summary>
    MultipleCommands,
}

/// <summary>
/// A recovery command file that the watcher will not take its command from; <see cref="Refusal"/> says why and the
/// message (one line) says what to do. A file that passes the checks but whose command line is malformed is reported
/// with <see cref="RecoveryCommandFormatException"/> instead.
/// </summary>
public sealed class RecoveryFileRefusedException : IOException
{
    internal RecoveryFileRefusedException(string path, RecoveryFileRefusal refusal, string problem)
        : base($"Recovery command file '{path}' {problem}.")
    {
        Path = path;
        Refusal = refusal;
    }

    /// <summary>The path as given.</summary>
    public string Path { get; }

    /// <summary>Why it was refused.</summary>
    public RecoveryFileRefusal Refusal { get; }
}
