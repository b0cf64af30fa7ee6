using System.Text;
using Tether.Journaling.Internal;

namespace Tether.Journaling.Tests.Infrastructure;

/// <summary>A fresh journal directory under /tmp, deleted with everything in it when disposed.</summary>
internal sealed class TempJournal : IDisposable
{
    public TempJournal()
    {
        Root = Directory.CreateTempSubdirectory("tether-journal-specs-").FullName;
        Path = System.IO.Path.Combine(Root, "journal");
    }

    /// <summary>The temporary directory holding the journal (and anything else a spec needs).</summary>
    public string Root { get; }

    /// <summary>The journal directory (created by the first open).</summary>
    public string Path { get; }

    public Task<Journal> OpenAsync(JournalOptions? options = null) => Journal.OpenAsync(Path, options);

    public JournalReader Reader(ReadMode mode = ReadMode.Strict) => new(Path, new JournalReaderOptions { Mode = mode });

    /// <summary>The segment files' names, oldest first.</summary>
    public IReadOnlyList<string> Segments() =>
        JournalLayout.ListSegments(Path).Select(s => s.Name).ToList();

    public string SegmentPath(string name) => System.IO.Path.Combine(Path, name);

    public string LastSegmentPath() => SegmentPath(Segments()[^1]);

    /// <summary>The torn-tail sidecar files.</summary>
    public IReadOnlyList<string> TornFiles() => JournalLayout.ListSidecars(Path);

    /// <summary>Appends raw bytes to the last segment, the way a writer that died mid-write would leave them.</summary>
    public void AppendRaw(string text) => AppendRaw(Encoding.UTF8.GetBytes(text));

    public void AppendRaw(byte[] bytes)
    {
        using var stream = new FileStream(LastSegmentPath(), FileMode.Append, FileAccess.Write);
        stream.Write(bytes);
    }

    /// <summary>Flips one byte of the record at <paramref name="seq"/> (inside its JSON, before the checksum).</summary>
    public (string Segment, long Offset) CorruptRecord(ulong seq)
    {
        foreach (var segment in Segments())
        {
            var path = SegmentPath(segment);
            var lines = File.ReadAllBytes(path);
            var offset = 0;
            while (offset < lines.Length)
            {
                var end = Array.IndexOf(lines, (byte)'\n', offset);
                if (end < 0)
                {
                    break;
                }

                var line = Encoding.UTF8.GetString(lines, offset, end - offset);
                if (line.StartsWith($"{{\"seq\":{seq},", StringComparison.Ordinal))
                {
                    // Change a character of the timestamp: still valid JSON, wrong checksum.
                    var at = offset + line.IndexOf("\"ts\":\"", StringComparison.Ordinal) + 6;
                    lines[at] = lines[at] == (byte)'2' ? (byte)'3' : (byte)'2';
                    File.WriteAllBytes(path, lines);
                    return (segment, offset);
                }

                offset = end + 1;
            }
        }

        throw new InvalidOperationException($"No record with seq {seq}.");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A mount that could not be undone, or a file still open: leave it to the OS's /tmp cleaning.
        }
    }
}
