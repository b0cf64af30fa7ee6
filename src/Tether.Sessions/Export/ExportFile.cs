using System.Text;
using Tether.IO;

namespace Tether.Sessions;

/// <summary>Writes an exported session to a file the way Tether writes every file it owns.</summary>
public static class ExportFile
{
    /// <summary>
    /// Replaces (or creates) <paramref name="path"/> with <paramref name="result"/>'s text, UTF-8 without a byte-order
    /// mark, atomically (a hidden temp file beside it, fsync, rename, directory fsync): the file is there whole or not
    /// changed. It is owner-only: 0600, or 0700 when <paramref name="executable"/> (a bash script).
    /// </summary>
    /// <exception cref="IOException">
    /// <paramref name="path"/> is a directory, a symbolic link (never written through), or cannot be written; the
    /// message says which. The old file, if any, is left byte-identical.
    /// </exception>
    public static void Write(string path, ExportResult result, bool executable = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(result);
        if (Directory.Exists(path) && DurableFile.TryStat(path) is not { IsSymbolicLink: true })
        {
            throw new IOException("it is a directory");
        }

        DurableFile.ReplaceAtomically(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(result.Text), ownerExecutable: executable);
    }
}
