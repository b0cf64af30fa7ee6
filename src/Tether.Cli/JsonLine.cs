using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Tether.Cli;

/// <summary>
/// The one shape of <c>--json</c> output (docs/cli.md, "JSON output"): every document is one JSON object on one line
/// whose first key is <see cref="VersionField"/>, text left readable (no \u escapes for non-ASCII); a failure is
/// <c>{"json_version":1,"error":{"code":…,"message":…}}</c>; a duration is <c>duration_ms</c>, a number of
/// milliseconds with a fraction.
/// </summary>
internal static class JsonLine
{
    /// <summary>
    /// The version of the JSON contract, raised when a key is renamed or removed or changes meaning (adding a key does not
    /// raise it).
    /// </summary>
    public const int Version = 1;

    /// <summary>
    /// The key that carries <see cref="Version"/>: not <c>version</c>, which some documents use for their own payload
    /// (a cassette's format version).
    /// </summary>
    public const string VersionField = "json_version";

    private static readonly JsonWriterOptions Options = new() { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// One line of JSON: the object written by <paramref name="write"/> (which writes a whole object, braces included),
    /// with <see cref="VersionField"/> put first.
    /// </summary>
    /// <exception cref="InvalidOperationException"><paramref name="write"/> wrote something other than one object.</exception>
    public static string Write(Action<Utf8JsonWriter> write)
    {
        var body = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(body, Options))
        {
            write(writer);
        }

        return Envelope(body.WrittenMemory);
    }

    /// <summary>One line of JSON: the object <paramref name="json"/> (such as a journal record as stored) with <see cref="VersionField"/> put first.</summary>
    public static string Envelope(string json) => Envelope(Encoding.UTF8.GetBytes(json));

    /// <summary>The error document: <c>{"json_version":1,"error":{"code":CODE,"message":MESSAGE}}</c>.</summary>
    /// <param name="code">What went wrong, one of <see cref="JsonErrorCode"/>'s words or a verb's own documented word.</param>
    /// <param name="message">The one line the verb writes on stderr, without the <c>tether: </c> prefix.</param>
    public static string Error(string code, string message) => Write(writer =>
    {
        writer.WriteStartObject();
        WriteError(writer, code, message);
        writer.WriteEndObject();
    });

    /// <summary>Writes the key <c>error</c> with the object <c>{"code":CODE,"message":MESSAGE}</c>, for documents that report a failure among other fields.</summary>
    public static void WriteError(Utf8JsonWriter writer, string code, string message)
    {
        writer.WriteStartObject("error");
        writer.WriteString("code", code);
        writer.WriteString("message", message);
        writer.WriteEndObject();
    }

    /// <summary>Writes <c>duration_ms</c>, the one name and unit of a duration: milliseconds, to the microsecond; null when unknown.</summary>
    public static void WriteDuration(Utf8JsonWriter writer, TimeSpan? duration)
    {
        if (duration is { } d)
        {
            writer.WriteNumber("duration_ms", Math.Round(d.TotalMilliseconds, 3));
        }
        else
        {
            writer.WriteNull("duration_ms");
        }
    }

    private static string Envelope(ReadOnlyMemory<byte> json)
    {
        using var document = JsonDocument.Parse(json);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidOperationException("A --json document must be one JSON object.");
        }

        var buffer = new ArrayBufferWriter<byte>(json.Length + 32);
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            writer.WriteStartObject();
            writer.WriteNumber(VersionField, Version);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!property.NameEquals(VersionField))
                {
                    property.WriteTo(writer);
                }
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
