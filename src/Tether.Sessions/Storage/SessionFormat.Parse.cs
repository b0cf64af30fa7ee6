using System.Buffers;
using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using Tether.Text;

namespace Tether.Sessions;

// Reading: line by line, never giving up on the whole file for one bad line (rec's loader does: one torn line made a
// whole session unreadable). The normative decode order is in docs/formats/session.md, "Reading".
public static partial class SessionFormat
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 16 };

    /// <summary>
    /// Reads a session from its lines, given without their newlines. The last line is taken as possibly torn: if it is
    /// not valid JSON it is reported as <see cref="SessionProblemKinds.TornLine"/>, not as corruption.
    /// </summary>
    /// <param name="lines">The file's lines in order.</param>
    /// <param name="path">The file's path (or any label), for <see cref="SessionLoad.Path"/> and messages.</param>
    /// <exception cref="SessionFormatException">No readable header line, or a format version other than 2.</exception>
    public static SessionLoad Parse(IEnumerable<string> lines, string path)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentNullException.ThrowIfNull(path);
        return ParseLines(FromStrings(lines), path);
    }

    /// <summary>
    /// Reads a session file from <paramref name="stream"/> (UTF-8 NDJSON) to its end. A final line without a newline
    /// that is not valid JSON is a torn line (reported, tolerated); a complete bad line anywhere is reported with its
    /// line number and skipped. The stream is not closed.
    /// </summary>
    /// <param name="stream">The file's bytes.</param>
    /// <param name="path">The file's path (or any label), for <see cref="SessionLoad.Path"/> and messages.</param>
    /// <exception cref="SessionFormatException">No readable header line, or a format version other than 2.</exception>
    public static SessionLoad Parse(Stream stream, string path)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(path);
        return ParseLines(FromStream(stream), path);
    }

    /// <summary>Reads just a header line; null when it is not a readable version-2 header.</summary>
    internal static SessionHeader? TryParseHeader(ReadOnlyMemory<byte> line)
    {
        if (!JsonText.IsValid(line.Span))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(line, DocumentOptions);
            var root = document.RootElement;
            return root.ValueKind == JsonValueKind.Object && TypeOf(root) == "header" ? ReadHeader(root, "", 1) : null;
        }
        catch (Exception e) when (e is JsonException or SessionFormatException)
        {
            return null;
        }
    }

    private static SessionLoad ParseLines(IEnumerable<RawLine> lines, string path)
    {
        SessionHeader? header = null;
        var headerLine = 0;
        var commands = ImmutableArray.CreateBuilder<RecordedCommand>();
        SessionFooter? footer = null;
        var footerLine = 0;
        var problems = new List<SessionProblem>();

        foreach (var line in lines)
        {
            if (line.TooLong)
            {
                if (header is null)
                {
                    throw new SessionFormatException(path, line.Number, $"the header line is longer than {MaxLineBytes / (1024 * 1024)} MiB");
                }

                problems.Add(line.Terminated
                    ? new SessionProblem(line.Number, SessionProblemKinds.CorruptLine, $"longer than {MaxLineBytes / (1024 * 1024)} MiB; skipped")
                    : new SessionProblem(line.Number, SessionProblemKinds.TornLine, "the last line has no newline and is too long to be a record; skipped"));
                continue;
            }

            if (IsBlank(line.Bytes.Span))
            {
                continue;
            }

            if (!JsonText.IsValid(line.Bytes.Span))
            {
                const string NotText = "holds text that is not valid UTF-8 (an invalid byte or an unpaired \\u surrogate escape)";
                if (header is null)
                {
                    throw new SessionFormatException(path, line.Number, $"the header line {NotText}");
                }

                problems.Add(line.Terminated
                    ? new SessionProblem(line.Number, SessionProblemKinds.CorruptLine, $"the line {NotText}; skipped")
                    : new SessionProblem(line.Number, SessionProblemKinds.TornLine, $"the last line has no newline and {NotText}; skipped"));
                continue;
            }

            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(line.Bytes, DocumentOptions);
            }
            catch (JsonException e)
            {
                if (header is null)
                {
                    throw new SessionFormatException(path, line.Number, line.Terminated
                        ? $"the header line is not valid JSON ({FirstSentence(e.Message)})"
                        : "the header line is incomplete (the recording was cut off as it started)");
                }

                problems.Add(line.Terminated
                    ? new SessionProblem(line.Number, SessionProblemKinds.CorruptLine, $"not valid JSON ({FirstSentence(e.Message)}); skipped")
                    : new SessionProblem(line.Number, SessionProblemKinds.TornLine, "the last line has no newline and is incomplete (the writer was cut off); skipped"));
                continue;
            }

            using (document)
            {
                var root = document.RootElement;
                var type = root.ValueKind == JsonValueKind.Object ? TypeOf(root) : null;
                if (header is null)
                {
                    if (type != "header")
                    {
                        throw new SessionFormatException(path, line.Number, "the first line is not a session header (an object with \"type\":\"header\")");
                    }

                    header = ReadHeader(root, path, line.Number);
                    headerLine = line.Number;
                    continue;
                }

                try
                {
                    switch (type)
                    {
                        case "command":
                            commands.Add(ReadCommand(root));
                            break;
                        case "footer":
                            var read = ReadFooter(root);
                            if (footer is not null)
                            {
                                problems.Add(new SessionProblem(footerLine, SessionProblemKinds.OutOfPlace, $"a footer followed by more lines; the footer at line {line.Number} is used"));
                            }

                            footer = read;
                            footerLine = line.Number;
                            break;
                        case "header":
                            problems.Add(new SessionProblem(line.Number, SessionProblemKinds.OutOfPlace, $"a second header; the header at line {headerLine} is used"));
                            break;
                        case null when root.ValueKind != JsonValueKind.Object:
                            throw new BadLine($"a JSON {Describe(root.ValueKind)}, not an object");
                        case null:
                            throw new BadLine("no \"type\" string saying what the line is");
                        default:
                            problems.Add(new SessionProblem(line.Number, SessionProblemKinds.UnknownKind, $"a line of type '{type}', which this version does not know; skipped"));
                            break;
                    }
                }
                catch (BadLine bad)
                {
                    problems.Add(new SessionProblem(line.Number, SessionProblemKinds.CorruptLine, $"{bad.Message}; skipped"));
                }
            }
        }

        if (header is null)
        {
            throw new SessionFormatException(path, 0, "the file is empty: it has no session header");
        }

        if (footer is not null && footer.CommandCount != commands.Count)
        {
            problems.Add(new SessionProblem(footerLine, SessionProblemKinds.CountMismatch, $"the footer says {footer.CommandCount} commands, and {commands.Count} were read"));
        }

        problems.Sort((a, b) => a.Line.CompareTo(b.Line));
        var session = new Session { Header = header, Commands = commands.ToImmutable(), Footer = footer };
        return new SessionLoad(session, problems, path);
    }

    private static SessionHeader ReadHeader(JsonElement root, string path, int line)
    {
        try
        {
            if (!root.TryGetProperty("version", out var versionElement) || versionElement.ValueKind != JsonValueKind.Number || !versionElement.TryGetInt32(out var version))
            {
                throw new BadLine("the header has no whole-number \"version\"");
            }

            if (version != Version)
            {
                throw new SessionFormatException(path, line, $"the session uses format version {version}, and this Tether reads version {Version} only");
            }

            var environment = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
            if (Optional(root, "env") is { } env)
            {
                if (env.ValueKind != JsonValueKind.Object)
                {
                    throw new BadLine("\"env\" is not an object");
                }

                foreach (var variable in env.EnumerateObject())
                {
                    environment[variable.Name] = variable.Value.ValueKind == JsonValueKind.String
                        ? variable.Value.GetString()!
                        : throw new BadLine($"the value of \"env\".\"{variable.Name}\" is not a string");
                }
            }

            var tags = ImmutableArray.CreateBuilder<string>();
            if (Optional(root, "tags") is { } tagArray)
            {
                if (tagArray.ValueKind != JsonValueKind.Array)
                {
                    throw new BadLine("\"tags\" is not an array");
                }

                foreach (var tag in tagArray.EnumerateArray())
                {
                    tags.Add(tag.ValueKind == JsonValueKind.String ? tag.GetString()! : throw new BadLine("\"tags\" holds something other than a string"));
                }
            }

            var recovered = Optional(root, "recovered") switch
            {
                null => false,
                { ValueKind: JsonValueKind.True } => true,
                { ValueKind: JsonValueKind.False } => false,
                _ => throw new BadLine("\"recovered\" is not a boolean"),
            };

            var id = RequiredString(root, "id");
            if (id.Length == 0)
            {
                throw new BadLine("\"id\" is empty");
            }

            return new SessionHeader
            {
                Version = version,
                Id = id,
                Name = RequiredString(root, "name"),
                Shell = OptionalText(root, "shell"),
                Os = OptionalText(root, "os"),
                Hostname = OptionalText(root, "hostname"),
                Environment = environment.ToImmutable(),
                Tags = tags.ToImmutable(),
                Recovered = recovered,
                Started = RequiredTime(root, "started_at"),
            };
        }
        catch (BadLine bad)
        {
            throw new SessionFormatException(path, line, $"the header is not valid: {bad.Message}");
        }
    }

    private static RecordedCommand ReadCommand(JsonElement root)
    {
        var index = RequiredInteger(root, "index");
        if (index is < 0 or > int.MaxValue)
        {
            throw new BadLine($"\"index\" {index} is out of range");
        }

        long? durationMs = Optional(root, "duration_ms") is { } duration
            ? duration.ValueKind == JsonValueKind.Number && duration.TryGetInt64(out var ms) && ms >= 0 && ms <= (long)TimeSpan.MaxValue.TotalMilliseconds
                ? ms
                : throw new BadLine("\"duration_ms\" is not a whole, non-negative number of milliseconds")
            : null;

        int? exitCode = Optional(root, "exit_code") is { } code
            ? code.ValueKind == JsonValueKind.Number && code.TryGetInt32(out var value) ? value : throw new BadLine("\"exit_code\" is not a 32-bit integer")
            : null;

        return new RecordedCommand
        {
            Index = (int)index,
            Command = RequiredString(root, "command"),
            Cwd = RequiredString(root, "cwd"),
            Started = RequiredTime(root, "started_at"),
            Ended = Optional(root, "ended_at") is { } ended ? Time(ended, "ended_at") : null,
            ExitCode = exitCode,
            Duration = durationMs is { } whole ? TimeSpan.FromMilliseconds(whole) : null,
        };
    }

    private static SessionFooter ReadFooter(JsonElement root)
    {
        var count = RequiredInteger(root, "command_count");
        if (count is < 0 or > int.MaxValue)
        {
            throw new BadLine($"\"command_count\" {count} is out of range");
        }

        var status = RequiredString(root, "status") switch
        {
            "completed" => SessionStatus.Completed,
            "interrupted" => SessionStatus.Interrupted,
            var other => throw new BadLine($"\"status\" '{other}' is not a final status (completed or interrupted)"),
        };

        return new SessionFooter { Ended = RequiredTime(root, "ended_at"), CommandCount = (int)count, Status = status };
    }

    private static string? TypeOf(JsonElement root) =>
        root.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String ? type.GetString() : null;

    /// <summary>The member, or null when it is absent or JSON null (rec's serde reads both as None).</summary>
    private static JsonElement? Optional(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    private static string RequiredString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new BadLine(root.TryGetProperty(name, out _) ? $"\"{name}\" is not a string" : $"no \"{name}\"");

    /// <summary>A string that may be absent, null or empty, all of which mean unknown.</summary>
    private static string? OptionalText(JsonElement root, string name) =>
        Optional(root, name) is { } value
            ? value.ValueKind == JsonValueKind.String ? value.GetString() is { Length: > 0 } text ? text : null : throw new BadLine($"\"{name}\" is not a string")
            : null;

    private static long RequiredInteger(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number)
            ? number
            : throw new BadLine(root.TryGetProperty(name, out _) ? $"\"{name}\" is not a whole number" : $"no \"{name}\"");

    private static DateTimeOffset RequiredTime(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) ? Time(value, name) : throw new BadLine($"no \"{name}\"");

    private static DateTimeOffset Time(JsonElement value, string name) =>
        UnixSeconds.TryRead(value, out var time) ? time : throw new BadLine($"\"{name}\" is not a number of seconds since the Unix epoch");

    private static bool IsBlank(ReadOnlySpan<byte> line) => line.IndexOfAnyExcept(" \t\r"u8) < 0;

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => "null",
    };

    /// <summary>System.Text.Json's messages go on about paths and byte positions; the first sentence says what matters.</summary>
    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return (end < 0 ? message : message[..end]).TrimEnd('.');
    }

    private static IEnumerable<RawLine> FromStrings(IEnumerable<string> lines)
    {
        // One line of look-ahead: only the last one may be torn.
        using var items = lines.GetEnumerator();
        if (!items.MoveNext())
        {
            yield break;
        }

        var number = 1;
        var current = items.Current;
        while (true)
        {
            var hasNext = items.MoveNext();
            var bytes = Encoding.UTF8.GetBytes(current ?? "");
            yield return new RawLine(number, bytes, Terminated: hasNext, TooLong: bytes.Length > MaxLineBytes);
            if (!hasNext)
            {
                yield break;
            }

            number++;
            current = items.Current;
        }
    }

    private static IEnumerable<RawLine> FromStream(Stream stream)
    {
        var chunk = new byte[64 * 1024];
        var pending = new ArrayBufferWriter<byte>(4096);
        var tooLong = false;
        var number = 0;
        int read;
        while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            var rest = chunk.AsMemory(0, read);
            while (!rest.IsEmpty)
            {
                var newline = rest.Span.IndexOf((byte)'\n');
                var part = newline < 0 ? rest : rest[..newline];
                if (!tooLong && pending.WrittenCount + part.Length > MaxLineBytes)
                {
                    // Bounded: the rest of an oversized line is not kept, only counted as skipped.
                    tooLong = true;
                    pending.ResetWrittenCount();
                }

                if (!tooLong)
                {
                    pending.Write(part.Span);
                }

                if (newline < 0)
                {
                    break;
                }

                yield return new RawLine(++number, pending.WrittenMemory.ToArray(), Terminated: true, tooLong);
                pending.ResetWrittenCount();
                tooLong = false;
                rest = rest[(newline + 1)..];
            }
        }

        if (pending.WrittenCount > 0 || tooLong)
        {
            yield return new RawLine(++number, pending.WrittenMemory.ToArray(), Terminated: false, tooLong);
        }
    }

    /// <summary>One line of a file: its bytes without the newline, and whether a newline ended it.</summary>
    private readonly record struct RawLine(int Number, ReadOnlyMemory<byte> Bytes, bool Terminated, bool TooLong);

    /// <summary>A line that is JSON but not a valid record; caught per line and reported as corrupt.</summary>
    private sealed class BadLine(string message) : Exception(message);
}
