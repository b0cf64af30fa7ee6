namespace Tether.Cli.Commands;

/// <summary>
/// What <c>tether run --cassette FILE</c> can learn about FILE's path before anything runs, so that a recording that
/// could not be saved, or a link that leads nowhere, costs no run: each check returns one line in the tool's words (no
/// .NET exception text), or null.
/// </summary>
internal static class CassettePathCheck
{
    /// <summary>A symbolic link whose target does not exist: named as such, in every mode (it is neither a cassette nor a place to record one).</summary>
    public static string? DanglingLink(string path)
    {
        var file = new FileInfo(path);
        if (file.LinkTarget is not { } target)
        {
            return null;
        }

        try
        {
            // File.Exists is true for the link itself, dangling or not: the final target is what a read would open.
            if (file.ResolveLinkTarget(returnFinalTarget: true) is { Exists: true })
            {
                return null;
            }
        }
        catch (IOException)
        {
            return $"--cassette: '{path}' is a symbolic link that leads to itself (a loop of links): give the cassette's own path; nothing was run.";
        }

        return $"--cassette: '{path}' is a symbolic link to '{target}', which does not exist, and cassettes are never written through a link: give the cassette's own path, or remove the link to record one there; nothing was run.";
    }

    /// <summary>A path whose directory part names a file (<c>notes.txt/run.json</c>): said as such, not as a missing directory.</summary>
    public static string? ParentIsAFile(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        return File.Exists(directory) && !Directory.Exists(directory)
            ? $"--cassette: '{directory}' is a file, not a directory: give a cassette path in a directory; nothing was run."
            : null;
    }

    /// <summary>
    /// Why a recording could not be saved in FILE's directory: the directory is tried the way the save will use it, by
    /// creating (and at once deleting) a file beside FILE, because only the kernel knows — permission, a read-only file
    /// system, a special one such as /proc that holds no files, no space left.
    /// </summary>
    public static string? Unrecordable(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var probe = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.probe");
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }

            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"--cassette: a recording could not be saved in '{directory}': {IoFailure.Cause(ex)}: give a cassette path in a directory you can write; nothing was run.";
        }
    }
}
