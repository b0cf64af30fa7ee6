namespace Tether.Sessions;

/// <summary>
/// The recording state directory, or a file in it, cannot be used: the directory is open to other users and cannot
/// be tightened, is a symbolic link, stays locked, or a spool is over its size limit. <see cref="Path"/> says which.
/// </summary>
public sealed class RecordingStateException : RecordingException
{
    internal RecordingStateException(string path, string message, Exception? inner = null)
        : base(message, inner)
    {
        Path = path;
    }

    /// <summary>The directory or file concerned.</summary>
    public string Path { get; }
}
