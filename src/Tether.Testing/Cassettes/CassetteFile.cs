using Tether.IO;

namespace Tether.Testing.Cassettes;

/// <summary>
/// Writes a cassette crash-safely and privately with Tether's one durable file (<see cref="DurableFile.ReplaceAtomically"/>):
/// owner-only (0600), never through a symlink, and atomically — a unique temporary file in the same directory, fsynced,
/// renamed over the target, then the directory fsynced — so a crash or a full disk leaves either the old cassette or
/// the new one, never half of one. A cassette is never appended to, so it has no torn tail.
/// </summary>
internal static class CassetteFile
{
    public static void WriteAtomically(string path, byte[] content)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("Saving cassettes is implemented for Linux only: owner-only permissions and the atomic, symlink-safe save are not implemented and tested elsewhere.");
        }

        var fullPath = Path.GetFullPath(path);
        try
        {
            TightenExisting(path, fullPath);
            DurableFile.ReplaceAtomically(fullPath, content);
        }
        catch (PosixIOException ex) when (ex.IsSymbolicLink)
        {
            throw new CassetteException(CassetteProblem.Unwritable, path,
                $"Cassette '{path}' is a symbolic link; cassettes are never written through a link. Remove the link or save to a real file.", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CassetteException(CassetteProblem.Unwritable, path,
                $"Cassette '{path}' could not be saved: {ex.Message.TrimEnd('.')}. The previous file, if any, is unchanged.", ex);
        }
    }

    /// <summary>An existing cassette with wider permissions is tightened to owner-only first, so even a save that then
    /// fails leaves no readable cassette behind. Opened without following a link, so only the cassette itself changes.</summary>
    private static void TightenExisting(string path, string fullPath)
    {
        if (DurableFile.TryStat(fullPath) is not { IsRegularFile: true })
        {
            return; // nothing there, or a link (refused by the replace) or something else (its rename fails)
        }

        try
        {
            using var handle = DurableFile.OpenForReading(fullPath);
            DurableFile.TightenToOwnerOnly(handle, fullPath);
        }
        catch (PosixIOException ex) when (!ex.IsSymbolicLink)
        {
            throw new CassetteException(CassetteProblem.Unwritable, path,
                $"Cassette '{path}' exists with permissions wider than owner-only and they could not be tightened: {ex.Message}", ex);
        }
    }
}
