using System.Text;
using System.Text.Json;

namespace Tether.Journaling;

/// <summary>
/// One record read back from the journal: the fields of its line, and where the line sits. Immutable; <see cref="Data"/>
/// is a detached copy that stays valid after the read ends.
/// </summary>
public sealed class JournalRecord
{
    private readonly bool _hasData;
    private JsonElement? _data;

    internal JournalRecord(ulong seq, DateTimeOffset timestamp, string type, string? job, bool hasData, string segment, long offset, ReadOnlyMemory<byte> utf8Line)
    {
        Seq = seq;
        Timestamp = timestamp;
        Type = type;
        Job = job;
        _hasData = hasData;
        Segment = segment;
        Offset = offset;
        Utf8Line = utf8Line;
    }

    /// <summary>The sequence number: strictly increasing by one across the whole journal, starting at 1.</summary>
    public ulong Seq { get; }

    /// <summary>When the record was committed (UTC, microsecond precision). Informational: order is <see cref="Seq"/>;
    /// a clock stepped backwards can make timestamps go backwards.</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>The record's dotted type, e.g. <c>job.started</c>.</summary>
    public string Type { get; }

    /// <summary>The job the record belongs to, or null.</summary>
    public string? Job { get; }

    /// <summary>
    /// The payload object, or null when the record has none. Parsed from <see cref="Utf8Line"/> on first access (the
    /// read path validates it but does not build it, so streaming records that nobody inspects stays cheap).
    /// </summary>
    public JsonElement? Data
    {
        get
        {
            if (!_hasData || _data is not null)
            {
                return _data;
            }

            using var document = JsonDocument.Parse(Utf8Line);
            _data = document.RootElement.GetProperty("data"u8).Clone();
            return _data;
        }
    }

    /// <summary>The file name of the segment holding the record, e.g. <c>00000000000000000001.jsonl</c>.</summary>
    public string Segment { get; }

    /// <summary>The byte offset of the record's line in <see cref="Segment"/>.</summary>
    public long Offset { get; }

    /// <summary>The line exactly as stored (UTF-8 JSON, checksum included, without the newline).</summary>
    public ReadOnlyMemory<byte> Utf8Line { get; }

    /// <summary>The line exactly as stored, as a string (what <c>jq</c> would read).</summary>
    public string ToJson() => Encoding.UTF8.GetString(Utf8Line.Span);

    /// <summary>A short description: seq, time, type and job; never the payload.</summary>
    public override string ToString() => $"#{Seq} {Timestamp:yyyy-MM-ddTHH:mm:ss.ffffffZ} {Type}{(Job is null ? "" : " " + Job)}";
}
