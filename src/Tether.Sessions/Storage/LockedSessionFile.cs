using Microsoft.Win32.SafeHandles;
using Tether.IO;

namespace Tether.Sessions;

/// <summary>
/// A session file opened for writing and held under its exclusive <c>flock</c>, checked to still be the file at its
/// path once the lock is taken (an atomic rewrite replaces the file: a writer that waited on the old one must move to
/// the new one). Disposing releases the lock.
/// </summary>
internal sealed class LockedSessionFile : IDisposable
{
    private const int MaxAttempts = 100;

    private LockedSessionFile(string path, SafeFileHandle handle, FileStatus identity)
    {
        Path = path;
        Handle = handle;
        Identity = identity;
    }

    public string Path { get; }

    public SafeFileHandle Handle { get; }

    public FileStatus Identity { get; }

    /// <summary>Opens and locks the file now at <paramref name="path"/>.</summary>
    public static LockedSessionFile Open(string path)
    {
        for (var attempt = 0; ; attempt++)
        {
            var handle = SessionFiles.OpenForWriting(path);
            try
            {
                DurableFile.LockExclusive(handle, path);
                var identity = DurableFile.Stat(handle, path);
                if (DurableFile.TryStat(path) is { } current && current.SameFileAs(identity))
                {
                    return new LockedSessionFile(path, handle, identity);
                }
            }
            catch
            {
                handle.Dispose();
                throw;
            }

            // Replaced (or removed) while we waited for the lock: look again.
            handle.Dispose();
            if (attempt >= MaxAttempts)
            {
                throw new IOException($"The session file '{path}' kept being replaced while Tether tried to lock it.");
            }
        }
    }

    public void Dispose() => Handle.Dispose();
}
