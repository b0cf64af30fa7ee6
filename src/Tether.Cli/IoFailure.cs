namespace Tether.Cli;

/// <summary>
/// The cause of a failed file operation in a user's words, from the exception .NET throws for it, whose own message
/// names the wrong cause as often as the right one ("Could not find file" for a directory that accepts no files).
/// </summary>
internal static class IoFailure
{
    /// <summary>A short clause such as <c>permission denied</c> or <c>it is on a read-only file system</c>.</summary>
    public static string Cause(Exception exception) => exception switch
    {
        UnauthorizedAccessException => "permission denied",
        FileNotFoundException or DirectoryNotFoundException => "it accepts no new files (a special file system such as /proc or /sys)",
        _ => exception.HResult switch
        {
            30 => "it is on a read-only file system", // EROFS
            28 => "no space is left on its device", // ENOSPC
            122 => "the disk quota is exceeded", // EDQUOT
            _ => "files cannot be created there",
        },
    };
}
