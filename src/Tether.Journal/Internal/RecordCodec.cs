using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Tether.Checksums;
using Tether.Text;

namespace Tether.Journaling.Internal;

/// <summary>
/// The line format (docs/formats/journal.md): <c>{"seq":N,"ts":"…","type":"…"[,"job":"…"][,"data":{…}],"crc":"xxxxxxxx"}\n</c>.
/// The checksum is the CRC-32C of the line with its last 18 bytes (<c>,"crc":"xxxxxxxx"}</c>) replaced by a single
/// <c>}</c>, i.e. of the record as if the crc member were absent.
/// </summary>
internal static class RecordCodec
{
    /// <summary>The length of the checksum trailer <c>,"crc":"xxxxxxxx"}</c>.</summary>
    public const int TrailerLength = 18;

    /// <summary>The most bytes a line has beyond its body (20-digit seq, timestamp, trailer, newline).</summary>
    public const int MaxOverhead = 63 + TrailerLength + 1;

    /// <summary>The timestamp layout: RFC 3339, UTC, exactly six fractional digits.</summary>
    public const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    private static readonly byte[] TrailerPrefix = ",\"crc\":\""u8.ToArray();

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Keep non-ASCII text readable in the file (tail -f, jq); JSON-significant and control characters are still escaped.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = false,
    };

    /// <summary>
    /// Serializes the caller-chosen part of a record (type, job, data) as the body that goes between the header and the
    /// checksum: <c>"type":"…"[,"job":"…"][,"data":{…}]</c>.
    /// </summary>
    public static byte[] EncodeBody(JournalEntry entry)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("type"u8, entry.Type);
            if (entry.Job is not null)
            {
                writer.WriteString("job"u8, entry.Job);
            }

            if (entry.Data is not null)
            {
                writer.WritePropertyName("data"u8);
                entry.Data.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        // Drop the braces: the body is spliced into the line.
        return buffer.WrittenSpan[1..^1].ToArray();
    }

    /// <summary>The size of the line for a body of <paramref name="bodyLength"/> bytes with the longest possible seq; what size limits compare.</summary>
    public static int MaxLineLength(int bodyLength) => bodyLength + MaxOverhead;

    /// <summary>Truncates to the microsecond, the precision the format stores.</summary>
    public static DateTimeOffset ToMicroseconds(DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % 10), TimeSpan.Zero);
    }

    /// <summary>Formats a timestamp the way lines store it, e.g. <c>2025-01-02T03:04:05.123456Z</c>.</summary>
    public static string FormatTimestamp(DateTimeOffset time) => time.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture);

    /// <summary>Writes the complete line (newline included) for a record to <paramref name="output"/>.</summary>
    public static void WriteLine(IBufferWriter<byte> output, ulong seq, ReadOnlySpan<byte> timestampUtf8, ReadOnlySpan<byte> body)
    {
        Span<byte> header = stackalloc byte[80];
        var length = 0;
        Append(header, ref length, "{\"seq\":"u8);
        Utf8Formatter.TryFormat(seq, header[length..], out var digits);
        length += digits;
        Append(header, ref length, ",\"ts\":\""u8);
        Append(header, ref length, timestampUtf8);
        Append(header, ref length, "\","u8);

        var crc = Crc32C.Compute(header[..length], body, "}"u8);

        var total = length + body.Length + TrailerLength + 1;
        var span = output.GetSpan(total);
        header[..length].CopyTo(span);
        body.CopyTo(span[length..]);
        var at = length + body.Length;
        TrailerPrefix.CopyTo(span[at..]);
        at += TrailerPrefix.Length;
        WriteHex(crc, span.Slice(at, 8));
        at += 8;
        span[at++] = (byte)'"';
        span[at++] = (byte)'}';
        span[at++] = (byte)'\n';
        output.Advance(total);
    }

    /// <summary>
    /// Checks the checksum of one line (without its newline) and decodes it. Returns null on success, or why the line is
    /// not a record.
    /// </summary>
    public static LineDefect? TryDecode(ReadOnlySpan<byte> line, string segment, long offset, out JournalRecord? record)
    {
        record = null;
        var checksum = CheckChecksum(line);
        if (checksum is not null)
        {
            return checksum;
        }

        try
        {
            return DecodeFields(line, segment, offset, out record);
        }
        catch (JsonException e)
        {
            return new LineDefect(JournalProblemKind.Malformed, $"not valid JSON: {e.Message}");
        }
        catch (InvalidOperationException e)
        {
            // Utf8JsonReader reports some malformed values (numbers, text it cannot transcode) this way, not as JsonException.
            return new LineDefect(JournalProblemKind.Malformed, $"not valid JSON: {e.Message}");
        }
    }

    /// <summary>Checks the trailer layout and the CRC; null when both are right.</summary>
    public static LineDefect? CheckChecksum(ReadOnlySpan<byte> line)
    {
        if (line.Length < TrailerLength + 2 || line[0] != (byte)'{')
        {
            return new LineDefect(JournalProblemKind.Malformed, "too short or not a JSON object");
        }

        var trailer = line[^TrailerLength..];
        if (!trailer.StartsWith(TrailerPrefix) || trailer[^2] != (byte)'"' || trailer[^1] != (byte)'}')
        {
            return new LineDefect(JournalProblemKind.Malformed, "the line does not end with the checksum member ,\"crc\":\"xxxxxxxx\"}");
        }

        if (!TryParseHex(trailer.Slice(TrailerPrefix.Length, 8), out var stored))
        {
            return new LineDefect(JournalProblemKind.Malformed, "the checksum is not 8 lower-case hex digits");
        }

        var actual = Crc32C.Compute(line[..^TrailerLength], "}"u8);
        return actual == stored
            ? null
            : new LineDefect(JournalProblemKind.BadChecksum, $"checksum mismatch: stored {stored:x8}, computed {actual:x8}");
    }

    private static LineDefect? DecodeFields(ReadOnlySpan<byte> line, string segment, long offset, out JournalRecord? record)
    {
        record = null;
        var reader = new Utf8JsonReader(line, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return new LineDefect(JournalProblemKind.Malformed, "not a JSON object");
        }

        ulong? seq = null;
        DateTimeOffset? ts = null;
        string? type = null;
        string? job = null;
        var hasData = false;
        var seen = KnownMember.None;
        HashSet<string>? unknownSeen = null;

        // A line whose checksum is right can still hold text that is not Unicode (a writer other than ours, or a bit
        // flipped before the checksum was computed). It is noted, the rest of the line is still read for its seq, and
        // the line is reported as InvalidText: never decoded into a string that would throw later.
        string? invalidText = null;

        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                break;
            }

            // Member names are compared as UTF-8 bytes: no string per member on the read path.
            var member = reader.ValueTextEquals("seq"u8) ? KnownMember.Seq
                : reader.ValueTextEquals("ts"u8) ? KnownMember.Ts
                : reader.ValueTextEquals("type"u8) ? KnownMember.Type
                : reader.ValueTextEquals("job"u8) ? KnownMember.Job
                : reader.ValueTextEquals("data"u8) ? KnownMember.Data
                : reader.ValueTextEquals("crc"u8) ? KnownMember.Crc
                : KnownMember.None;
            if (member == KnownMember.None)
            {
                if (!JsonText.IsText(ref reader))
                {
                    invalidText ??= "a member name is not valid UTF-8 text";
                    reader.Read();
                    reader.Skip();
                    continue;
                }

                var name = reader.GetString()!;
                if (!(unknownSeen ??= new HashSet<string>(StringComparer.Ordinal)).Add(name))
                {
                    return new LineDefect(JournalProblemKind.Malformed, $"member '{name}' appears twice");
                }
            }
            else if ((seen & member) != 0)
            {
                return new LineDefect(JournalProblemKind.Malformed, $"member '{member.ToString().ToLowerInvariant()}' appears twice");
            }

            seen |= member;
            reader.Read();
            switch (member)
            {
                case KnownMember.Seq:
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetUInt64(out var s) || s == 0)
                    {
                        return new LineDefect(JournalProblemKind.Malformed, "'seq' is not a positive 64-bit integer");
                    }

                    seq = s;
                    break;
                case KnownMember.Ts:
                    if (reader.TokenType != JsonTokenType.String || !reader.TryGetDateTimeOffset(out var t))
                    {
                        return new LineDefect(JournalProblemKind.Malformed, "'ts' is not an RFC 3339 timestamp");
                    }

                    ts = t.ToUniversalTime();
                    break;
                case KnownMember.Type:
                    if (reader.TokenType != JsonTokenType.String || reader.ValueSpan.Length == 0)
                    {
                        return new LineDefect(JournalProblemKind.Malformed, "'type' is not a non-empty string");
                    }

                    if (!JsonText.IsText(ref reader))
                    {
                        invalidText ??= "'type' is not valid UTF-8 text";
                        type = string.Empty;
                        break;
                    }

                    type = reader.GetString();
                    break;
                case KnownMember.Job:
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        return new LineDefect(JournalProblemKind.Malformed, "'job' is not a string");
                    }

                    if (!JsonText.IsText(ref reader))
                    {
                        invalidText ??= "'job' is not valid UTF-8 text";
                        break;
                    }

                    job = reader.GetString();
                    break;
                case KnownMember.Data:
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        return new LineDefect(JournalProblemKind.Malformed, "'data' is not an object");
                    }

                    // Validated here (structure and every string), materialised only when a caller asks for JournalRecord.Data.
                    if (!IsValidValue(ref reader))
                    {
                        invalidText ??= "'data' holds text that is not valid UTF-8";
                    }

                    hasData = true;
                    break;
                default:
                    // Unknown members are ignored (the versioning rule: additions do not change the format version),
                    // but their text is checked too: ToJson() hands the whole line on.
                    if (!IsValidValue(ref reader))
                    {
                        invalidText ??= "a member holds text that is not valid UTF-8";
                    }

                    break;
            }
        }

        if (seq is null || ts is null || type is null)
        {
            return new LineDefect(JournalProblemKind.Malformed, "a required member (seq, ts, type) is missing");
        }

        if (invalidText is not null)
        {
            return new LineDefect(JournalProblemKind.InvalidText, $"{invalidText} (an invalid byte or an unpaired \\u surrogate escape); the checksum is right, so the record is complete but unreadable", seq, ts);
        }

        record = new JournalRecord(seq.Value, ts.Value, type, job, hasData, segment, offset, line.ToArray());
        return null;
    }

    /// <summary>Reads past the current value (the reader is on its first token) and says whether every string and
    /// member name in it is valid text.</summary>
    private static bool IsValidValue(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return JsonText.IsText(ref reader);
        }

        if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
        {
            return true;
        }

        var valid = true;
        var depth = reader.CurrentDepth;
        while (reader.Read() && reader.CurrentDepth > depth)
        {
            if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName)
            {
                valid &= JsonText.IsText(ref reader);
            }
        }

        return valid;
    }

    /// <summary>Reads just the seq of a line already known to be valid; cheaper than a full decode.</summary>
    public static bool TryReadSeq(ReadOnlySpan<byte> line, out ulong seq)
    {
        seq = 0;
        var prefix = "{\"seq\":"u8;
        if (!line.StartsWith(prefix))
        {
            return false;
        }

        return Utf8Parser.TryParse(line[prefix.Length..], out seq, out _) && seq > 0;
    }

    private static void Append(Span<byte> destination, ref int length, ReadOnlySpan<byte> value)
    {
        value.CopyTo(destination[length..]);
        length += value.Length;
    }

    private static void WriteHex(uint value, Span<byte> destination)
    {
        const string Digits = "0123456789abcdef";
        for (var i = 7; i >= 0; i--)
        {
            destination[i] = (byte)Digits[(int)(value & 0xF)];
            value >>= 4;
        }
    }

    private static bool TryParseHex(ReadOnlySpan<byte> hex, out uint value)
    {
        value = 0;
        foreach (var b in hex)
        {
            int digit = b switch
            {
                >= (byte)'0' and <= (byte)'9' => b - '0',
                >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
                _ => -1,
            };
            if (digit < 0)
            {
                return false;
            }

            value = (value << 4) | (uint)digit;
        }

        return true;
    }

    /// <summary>UTF-8 of <see cref="FormatTimestamp"/>.</summary>
    public static byte[] TimestampUtf8(DateTimeOffset time) => Encoding.ASCII.GetBytes(FormatTimestamp(time));
}

/// <summary>
/// Why a line is not a valid record. <see cref="Seq"/> and <see cref="Timestamp"/> are set only for a sealed line (its
/// checksum is right) that cannot be read as a record: it is not a torn write, and it takes its seq in the sequence.
/// </summary>
internal sealed record LineDefect(JournalProblemKind Kind, string Reason, ulong? Seq = null, DateTimeOffset? Timestamp = null)
{
    /// <summary>Whether the line was written whole (right checksum, seq known) though it cannot be read.</summary>
    public bool IsSealed => Seq is not null;
}

/// <summary>The members a record line may hold, as flags, to find duplicates without allocating.</summary>
[Flags]
internal enum KnownMember
{
    None = 0,
    Seq = 1,
    Ts = 2,
    Type = 4,
    Job = 8,
    Data = 16,
    Crc = 32,
}
