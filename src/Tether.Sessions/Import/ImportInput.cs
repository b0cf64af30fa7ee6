using System.Buffers;
using System.Globalization;
using System.Text;

namespace Tether.Sessions;

/// <summary>
/// Reads the file an import is given, refusing what cannot be a history, a script or a session in words of its own
/// cause: a directory, a missing or unreadable file, and a file that is not text.
/// </summary>
/// <remarks>
/// Not text means more than <see cref="MaxBinaryShare"/> of its bytes (and at least <see cref="MinBinaryBytes"/>) are
/// NUL or not UTF-8 — a binary read line by line would be imported as thousands of "commands". A few stray bytes (an
/// old Latin-1 line in a history) are tolerated and read as U+FFFD. zsh writes its history "metafied" (a byte
/// 0x83 before each byte it escapes), which is not UTF-8 as it stands; the file is also judged as unmetafied, and the
/// kinder reading counts.
/// </remarks>
internal static class ImportInput
{
    /// <summary>The share of bad bytes above which a file is not text: one in fifty.</summary>
    private const int MaxBinaryShare = 50;

    /// <summary>Fewer bad bytes than this never make a file binary.</summary>
    private const int MinBinaryBytes = 4;

    /// <exception cref="ImportException">A directory, a missing or unreadable file, or not text.</exception>
    public static byte[] Read(string path, Func<byte[], byte[]> unmetafy)
    {
        if (Directory.Exists(path))
        {
            throw new ImportException(path, "it is a directory; give a shell history file, a script or a session file");
        }

        if (!File.Exists(path))
        {
            throw new ImportException(path, "it does not exist");
        }

        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (UnauthorizedAccessException)
        {
            throw new ImportException(path, "you may not read it (permission denied)");
        }

        var bad = Math.Min(BadBytes(bytes), BadBytes(unmetafy(bytes)));
        if (bad >= MinBinaryBytes && (long)bad * MaxBinaryShare > bytes.Length)
        {
            throw new ImportException(path, string.Create(CultureInfo.InvariantCulture,
                $"it is not text ({bad} of its {bytes.Length} bytes are NUL or not UTF-8); give a shell history file, a script or a session file"));
        }

        return bytes;
    }

    /// <summary>NUL bytes and bytes that are not part of a valid UTF-8 sequence.</summary>
    private static int BadBytes(ReadOnlySpan<byte> bytes)
    {
        var bad = 0;
        while (!bytes.IsEmpty)
        {
            var status = Rune.DecodeFromUtf8(bytes, out var rune, out var consumed);
            if (status != OperationStatus.Done || rune.Value == 0)
            {
                bad += consumed;
            }

            bytes = bytes[consumed..];
        }

        return bad;
    }
}
