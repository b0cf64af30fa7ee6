using System.Runtime.InteropServices;
using Tether.Testing.Interop;

namespace Tether.Testing.Cassettes;

/// <summary>
/// Writes a cassette crash-safely and privately: owner-only (0600), never through a symlink, and atomically — a
/// unique temporary file in the same directory, fsynced, renamed over the target, then the directory fsynced — so a
/// crash or a full disk leaves either the old cassette or the new one, never half of one.
/// </summary>
internal static class CassetteFile
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private static long s_sequence;

    public static void WriteAtomically(string path, byte[] content)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("Saving cassettes is implemented for Unix only: owner-only permissions and the atomic, symlink-safe save are not implemented and tested on Windows.");
        }

        var fullPath = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(fullPath)!;
        RefuseSymlink(path, fullPath);
        TightenExisting(path, fullPath);

        // A hidden sibling with a bounded name: the cassette's own name may already be as long as the file system allows.
        var name = Path.GetFileName(fullPath);
        var temporary = Path.Combine(directory, $".{name[..Math.Min(name.Length, 64)]}.{Environment.ProcessId}.{Interlocked.Increment(ref s_sequence)}.tmp");
        try
        {
            // CreateNew is O_CREAT|O_EXCL: it never opens an existing file or follows a symlink planted at that name.
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                UnixCreateMode = OwnerOnly,
            };
            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            // rename(2): atomic, and it replaces a name, never writes through one.
            File.Move(temporary, fullPath, overwrite: true);
            SyncDirectory(directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            throw new CassetteException(CassetteProblem.Unwritable, path,
                $"Cassette '{path}' could not be saved: {ex.Message} The previous file, if any, is unchanged.", ex);
        }
    }

    private static void RefuseSymlink(string path, string fullPath)
    {
        var info = new FileInfo(fullPath);
        if (info.LinkTarget is not null)
        {
            throw new CassetteException(CassetteProblem.Unwritable, path,
                $"Cassette '{path}' is a symbolic link (to '{info.LinkTarget}'); cassettes are never written through a link. Remove the link or save to a real file.");
        }
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void TightenExisting(string path, string fullPath)
    {
        if (!File.Exists(fullPath))
        {
            return;
        }

        try
        {
            if ((File.GetUnixFileMode(fullPath) & ~OwnerOnly) != 0)
            {
                File.SetUnixFileMode(fullPath, OwnerOnly);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CassetteException(CassetteProblem.Unwritable, path,
                $"Cassette '{path}' exists with permissions wider than owner-only and they could not be tightened: {ex.Message}", ex);
        }
    }

    private static void SyncDirectory(string directory)
    {
        var fd = Libc.open(directory, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        if (fd < 0)
        {
            throw new IOException($"Opening '{directory}' to make the rename durable failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}.");
        }

        try
        {
            if (Libc.fsync(fd) != 0)
            {
                throw new IOException($"fsync of '{directory}' failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}.");
            }
        }
        finally
        {
            Libc.close(fd);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover temporary file is harmless and never read as a cassette.
        }
    }
}
