using System.Text.Json;
using System.Text;
using Tether.IO;

namespace Tether.Journaling.Internal;

/// <summary>
/// <c>journal.json</c>: says the directory is a Tether journal and which major format version its segments use. Written
/// once, when the journal is created (temp file, fsync, rename, directory fsync), and never changed.
/// </summary>
internal static class Manifest
{
    public const string Format = "tether-journal";
    public const int Version = 1;

    private static readonly byte[] Content = Encoding.UTF8.GetBytes($"{{\"format\":\"{Format}\",\"version\":{Version}}}\n");

    /// <summary>Checks the manifest; false when there is none.</summary>
    /// <exception cref="JournalFormatException">The manifest is unreadable, of another format, or of another version.</exception>
    public static bool Check(string directory)
    {
        var path = Path.Combine(directory, JournalLayout.ManifestName);
        var status = DurableFile.TryStat(path);
        if (status is null)
        {
            return false;
        }

        if (!status.Value.IsRegularFile)
        {
            throw new JournalFormatException(directory, $"{JournalLayout.ManifestName} is not a regular file");
        }

        if (status.Value.Size > 4096)
        {
            throw new JournalFormatException(directory, $"{JournalLayout.ManifestName} is too large to be a journal manifest");
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.String || format.GetString() != Format)
            {
                throw new JournalFormatException(directory, $"{JournalLayout.ManifestName} does not describe a '{Format}'");
            }

            if (!root.TryGetProperty("version", out var version) || version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out var v))
            {
                throw new JournalFormatException(directory, $"{JournalLayout.ManifestName} has no format version");
            }

            if (v != Version)
            {
                throw new JournalFormatException(directory, $"the journal uses format version {v}, and this Tether reads version {Version} only; use a Tether that knows version {v}");
            }

            return true;
        }
        catch (JsonException e)
        {
            throw new JournalFormatException(directory, $"{JournalLayout.ManifestName} is not valid JSON ({e.Message})");
        }
    }

    /// <summary>Creates the manifest crash-safely. The caller holds the journal lock.</summary>
    public static void Create(string directory)
    {
        var path = Path.Combine(directory, JournalLayout.ManifestName);
        var temp = Path.Combine(directory, $".{JournalLayout.ManifestName}.{Environment.ProcessId}.tmp");
        DurableFile.Delete(temp);
        using (var handle = DurableFile.CreateNew(temp))
        {
            DurableFile.WriteAll(handle, Content, 0, temp);
            DurableFile.FullSync(handle, temp);
        }

        DurableFile.Rename(temp, path);
        DurableFile.SyncDirectory(directory);
    }
}
