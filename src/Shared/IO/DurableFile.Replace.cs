using Tether.Interop;

namespace Tether.IO;

/// <summary>Whole-file writes: the new content appears at the path completely or not at all.</summary>
internal static partial class DurableFile
{
    /// <summary>
    /// Replaces (or creates) <paramref name="path"/> with <paramref name="content"/> atomically: a unique hidden temp file
    /// in the same directory (created O_CREAT|O_EXCL|O_NOFOLLOW, 0600), written, fsynced, renamed over the target, then
    /// the directory fsynced. A failure at any step leaves the old file byte-identical and removes the temp file; a crash
    /// leaves at most a hidden <c>.tmp</c> file, which nothing reads. <paramref name="beforeRename"/> runs with the temp
    /// file's path just before the rename (a seam for fault injection). <paramref name="ownerExecutable"/> makes the file
    /// 0700 instead of 0600 (an exported script), set through the handle before anything is written.
    /// </summary>
    public static void ReplaceAtomically(string path, ReadOnlySpan<byte> content, Action<string>? beforeRename = null, bool ownerExecutable = false)
    {
        // rename(2) replaces a symbolic link itself and never writes through it, so this check cannot be raced into
        // writing elsewhere; it keeps the rule that Tether does not replace a link it was pointed at.
        if (TryStat(path) is { IsSymbolicLink: true })
        {
            throw new PosixIOException(Libc.ELOOP, "replacing (it is a symbolic link, which Tether never writes through)", path);
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        // A hidden sibling with a bounded name: the file's own name may already be as long as the file system allows.
        var name = Path.GetFileName(path);
        var temp = Path.Combine(directory, $".{name[..Math.Min(name.Length, 64)]}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var handle = CreateNew(temp))
            {
                if (ownerExecutable)
                {
                    SetMode(handle, (uint)OwnerOnlyExecutable, temp);
                }

                WriteAll(handle, content, 0, temp);
                FullSync(handle, temp);
            }

            beforeRename?.Invoke(temp);
            Rename(temp, path);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }

        SyncDirectory(directory);
    }
}
