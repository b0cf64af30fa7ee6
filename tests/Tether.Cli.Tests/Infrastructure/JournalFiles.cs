using System.Text;
using Tether.Journaling;

namespace Tether.Cli.Tests.Infrastructure;

/// <summary>What the journal specs do to a journal directory behind the tool's back: read it all, damage one record.</summary>
internal static class JournalFiles
{
    /// <summary>Every record of the journal in <paramref name="directory"/>, strictly read.</summary>
    public static async Task<List<JournalRecord>> ReadAllAsync(string directory)
    {
        var records = new List<JournalRecord>();
        await foreach (var record in new JournalReader(directory).ReadAsync())
        {
            records.Add(record);
        }

        return records;
    }

    /// <summary>
    /// Changes one byte inside the type of line <paramref name="lineNumber"/> (1-based) of the first segment, so the line
    /// stays one line of JSON and only its checksum tells.
    /// </summary>
    public static void FlipByteInLine(string directory, int lineNumber)
    {
        var path = Path.Combine(directory, "00000000000000000001.jsonl");
        var bytes = File.ReadAllBytes(path);
        var start = 0;
        for (var line = 1; line < lineNumber; line++)
        {
            start = Array.IndexOf(bytes, (byte)'\n', start) + 1;
        }

        var type = Encoding.UTF8.GetBytes("\"type\":\"");
        var at = bytes.AsSpan(start).IndexOf(type) + start + type.Length;
        bytes[at] = bytes[at] == (byte)'q' ? (byte)'r' : (byte)'q';
        File.WriteAllBytes(path, bytes);
    }
}
