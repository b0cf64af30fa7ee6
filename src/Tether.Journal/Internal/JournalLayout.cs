using System.Globalization;
using Tether.IO;

namespace Tether.Journaling.Internal;

/// <summary>
/// The names of things in a journal directory: segments <c>&lt;first seq, 20 digits&gt;.jsonl</c>, the manifest
/// <c>journal.json</c>, the lock file <c>journal.lock</c>, torn-tail side files <c>torn-&lt;segment&gt;-&lt;offset&gt;-&lt;time&gt;.bin</c>
/// (<see cref="DurableFile.MoveTornTail"/>).
/// </summary>
internal static class JournalLayout
{
    public const string ManifestName = "journal.json";
    public const string LockName = "journal.lock";
    public const string SegmentExtension = ".jsonl";
    public const int SeqDigits = 20;

    /// <summary>The file name of the segment whose first record has <paramref name="firstSeq"/>.</summary>
    public static string SegmentName(ulong firstSeq) => firstSeq.ToString("D20", CultureInfo.InvariantCulture) + SegmentExtension;

    /// <summary>Parses a segment file name; false for anything else in the directory.</summary>
    public static bool TryParseSegmentName(string fileName, out ulong firstSeq)
    {
        firstSeq = 0;
        return fileName.Length == SeqDigits + SegmentExtension.Length
            && fileName.EndsWith(SegmentExtension, StringComparison.Ordinal)
            && fileName.AsSpan(0, SeqDigits).IndexOfAnyExceptInRange('0', '9') < 0
            && ulong.TryParse(fileName.AsSpan(0, SeqDigits), NumberStyles.None, CultureInfo.InvariantCulture, out firstSeq)
            && firstSeq > 0;
    }

    /// <summary>The segments in <paramref name="directory"/>, oldest first. Only names are read.</summary>
    public static List<SegmentFile> ListSegments(string directory)
    {
        var segments = new List<SegmentFile>();
        foreach (var path in Directory.EnumerateFileSystemEntries(directory, "*" + SegmentExtension))
        {
            var name = Path.GetFileName(path);
            if (TryParseSegmentName(name, out var firstSeq))
            {
                segments.Add(new SegmentFile(firstSeq, name, path));
            }
        }

        segments.Sort((a, b) => a.FirstSeq.CompareTo(b.FirstSeq));
        return segments;
    }

    /// <summary>The torn-tail sidecar files in <paramref name="directory"/>.</summary>
    public static List<string> ListSidecars(string directory) =>
        Directory.EnumerateFiles(directory, DurableFile.TornTailPrefix + "*" + DurableFile.TornTailExtension).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
}

/// <summary>A segment file: its name and the seq its first record has (or will have, while empty).</summary>
internal sealed record SegmentFile(ulong FirstSeq, string Name, string Path);
