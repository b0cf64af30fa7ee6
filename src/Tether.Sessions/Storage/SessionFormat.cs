using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Tether.Sessions;

/// <summary>
/// The session file format: rec's NDJSON, version 2 (docs/formats/session.md). One JSON object per line, each saying
/// what it is in <c>type</c>: a <c>header</c> line first, then one <c>command</c> line per command, then — once the
/// recording ended — a <c>footer</c> line. Field names, order and encodings are rec's, so rec reads what Tether writes
/// and Tether reads rec's files.
/// </summary>
public static partial class SessionFormat
{
    /// <summary>The format version, written in every header and the only one read.</summary>
    public const int Version = 2;

    /// <summary>The extension of session files: <c>{id}.ndjson</c>.</summary>
    public const string FileExtension = ".ndjson";

    /// <summary>The longest line written or read, in UTF-8 bytes (16 MiB). A longer command is refused when written; a
    /// longer line is skipped as corrupt when read.</summary>
    public const int MaxLineBytes = 16 * 1024 * 1024;

    // serde_json escapes only '"', '\' and control characters; the relaxed encoder comes closest (it leaves <>&' and
    // non-ASCII text alone), so a command like `make && ./run > out` stays readable in the file.
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    /// <summary>The header line (without its newline).</summary>
    /// <exception cref="ArgumentException">The version is not 2, or the id or the name is empty.</exception>
    public static string WriteHeader(SessionHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        if (header.Version != Version)
        {
            throw new ArgumentException($"Only format version {Version} is written; the header says {header.Version}.", nameof(header));
        }

        ArgumentException.ThrowIfNullOrEmpty(header.Id, nameof(header));
        ArgumentException.ThrowIfNullOrEmpty(header.Name, nameof(header));

        return Write(writer =>
        {
            writer.WriteString("type", "header");
            writer.WriteNumber("version", Version);
            writer.WriteString("id", Text(header.Id));
            writer.WriteString("name", Text(header.Name));

            // rec's header has these as plain strings (not optional): an unknown value is written as "" so rec can read
            // the file, and "" reads back as unknown.
            writer.WriteString("shell", Text(header.Shell ?? ""));
            writer.WriteString("os", Text(header.Os ?? ""));
            writer.WriteString("hostname", Text(header.Hostname ?? ""));
            writer.WriteStartObject("env");
            foreach (var (name, value) in header.Environment)
            {
                writer.WriteString(Text(name), Text(value));
            }

            writer.WriteEndObject();
            writer.WriteStartArray("tags");
            foreach (var tag in header.Tags)
            {
                writer.WriteStringValue(Text(tag));
            }

            writer.WriteEndArray();

            // rec writes `recovered` only on recovered sessions.
            if (header.Recovered)
            {
                writer.WriteBoolean("recovered", true);
            }

            WriteTime(writer, "started_at", header.Started);
        });
    }

    /// <summary>A command line (without its newline). Unknown end, exit code and duration are left out, as rec does.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index or the duration is negative.</exception>
    /// <exception cref="ArgumentException">The line would be longer than <see cref="MaxLineBytes"/>.</exception>
    public static string WriteCommand(RecordedCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentOutOfRangeException.ThrowIfNegative(command.Index, nameof(command));
        ArgumentNullException.ThrowIfNull(command.Command, nameof(command));
        ArgumentNullException.ThrowIfNull(command.Cwd, nameof(command));
        if (command.Duration is { } negative && negative < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(command), negative, "A command's duration cannot be negative.");
        }

        var line = Write(writer =>
        {
            writer.WriteString("type", "command");
            writer.WriteNumber("index", command.Index);
            writer.WriteString("command", Text(command.Command));
            writer.WriteString("cwd", Text(command.Cwd));
            WriteTime(writer, "started_at", command.Started);
            if (command.Ended is { } ended)
            {
                WriteTime(writer, "ended_at", ended);
            }

            if (command.ExitCode is { } code)
            {
                writer.WriteNumber("exit_code", code);
            }

            if (command.Duration is { } duration)
            {
                // rec's duration_ms is a whole number of milliseconds (truncated).
                writer.WriteNumber("duration_ms", duration.Ticks / TimeSpan.TicksPerMillisecond);
            }
        });

        if (Encoding.UTF8.GetByteCount(line) >= MaxLineBytes)
        {
            throw new ArgumentException($"The command at index {command.Index} makes a line of more than {MaxLineBytes / (1024 * 1024)} MiB, the most a session line may hold.", nameof(command));
        }

        return line;
    }

    /// <summary>The footer line (without its newline).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The command count is negative, or the status is not a defined value.</exception>
    public static string WriteFooter(SessionFooter footer)
    {
        ArgumentNullException.ThrowIfNull(footer);
        ArgumentOutOfRangeException.ThrowIfNegative(footer.CommandCount, nameof(footer));
        var status = footer.Status switch
        {
            SessionStatus.Completed => "completed",
            SessionStatus.Interrupted => "interrupted",
            _ => throw new ArgumentOutOfRangeException(nameof(footer), footer.Status, "Not a session status."),
        };

        return Write(writer =>
        {
            writer.WriteString("type", "footer");
            WriteTime(writer, "ended_at", footer.Ended);
            writer.WriteNumber("command_count", footer.CommandCount);
            writer.WriteString("status", status);
        });
    }

    /// <summary>A whole session file: the header, the commands, the footer if any, each line ending with a newline.</summary>
    public static string Write(Session session)
    {
        ArgumentNullException.ThrowIfNull(session);
        var text = new StringBuilder();
        text.Append(WriteHeader(session.Header)).Append('\n');
        foreach (var command in session.Commands)
        {
            text.Append(WriteCommand(command)).Append('\n');
        }

        if (session.Footer is { } footer)
        {
            text.Append(WriteFooter(footer)).Append('\n');
        }

        return text.ToString();
    }

    private static string Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteTime(Utf8JsonWriter writer, string name, DateTimeOffset value)
    {
        writer.WritePropertyName(name);
        writer.WriteRawValue(UnixSeconds.Format(value), skipInputValidation: true);
    }

    /// <summary>Text as it can be stored: UTF-8 cannot hold a lone UTF-16 surrogate, so one becomes U+FFFD.</summary>
    private static string Text(string value) =>
        value.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') < 0 ? value : Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(value));
}
