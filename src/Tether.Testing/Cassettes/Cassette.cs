using System.Buffers;
using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Tether.Testing.Cassettes;

namespace Tether.Testing;

/// <summary>
/// A cassette file: a format version and the captured entries in capture order. The format is processkit's JSON
/// cassette, version 1 (see docs/formats/cassette.md), so cassettes move between that Rust crate and Tether both ways.
/// Loading checks everything (size, JSON, version, each entry's fields and outcome) and never changes the file.
/// </summary>
public sealed class Cassette
{
    /// <summary>The format version this library reads and writes.</summary>
    public const int FormatVersion = 1;

    /// <summary>The largest cassette file accepted: 64 MiB.</summary>
    public const long MaxFileBytes = 64L * 1024 * 1024;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        IndentSize = 2,
        NewLine = "\n",

        // Human-diffable: non-ASCII text stays as it is; only what JSON requires (quotes, backslash, controls) is escaped.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    internal Cassette(ImmutableArray<CassetteEntry> entries) => Entries = entries;

    /// <summary>The entries in capture order.</summary>
    public ImmutableArray<CassetteEntry> Entries { get; }

    /// <summary>Loads and checks a cassette file.</summary>
    /// <exception cref="CassetteException">It does not exist, cannot be read, is too large, is not JSON, has another version or an invalid entry.</exception>
    public static Cassette Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes;
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
            if (file.Length > MaxFileBytes)
            {
                throw new CassetteException(CassetteProblem.TooLarge, path,
                    $"Cassette '{path}' is {file.Length} bytes, more than the {MaxFileBytes / (1024 * 1024)} MiB a cassette may have; split the test or record less output.");
            }

            bytes = new byte[file.Length];
            file.ReadExactly(bytes);
        }
        catch (FileNotFoundException ex)
        {
            throw new CassetteException(CassetteProblem.NotFound, path,
                $"Cassette '{path}' does not exist; record it first (CassetteMode.Once or Record, or `tether run --cassette {path} --mode once -- …`).", ex);
        }
        catch (DirectoryNotFoundException ex)
        {
            throw new CassetteException(CassetteProblem.NotFound, path,
                $"Cassette '{path}' does not exist (nor does its directory); record it first (CassetteMode.Once or Record).", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CassetteException(CassetteProblem.Unreadable, path, $"Cassette '{path}' could not be read: {ex.Message}", ex);
        }

        return Parse(bytes, path);
    }

    /// <summary>Parses and checks cassette JSON; <paramref name="source"/> names it in error messages.</summary>
    /// <exception cref="CassetteException">The JSON is invalid, has another version or an invalid entry.</exception>
    public static Cassette Parse(ReadOnlySpan<byte> json, string source = "cassette")
    {
        if (json.Length > MaxFileBytes)
        {
            throw new CassetteException(CassetteProblem.TooLarge, source, $"Cassette '{source}' is larger than {MaxFileBytes / (1024 * 1024)} MiB.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $" at line {line + 1}, column {(ex.BytePositionInLine ?? 0) + 1}" : "";
            throw new CassetteException(CassetteProblem.InvalidJson, source,
                $"Cassette '{source}' is not valid JSON{where}; fix or re-record it.", ex);
        }

        using (document)
        {
            try
            {
                return FromDocument(document.RootElement, source);
            }
            catch (InvalidOperationException ex)
            {
                // JsonElement.GetString refuses text it cannot decode: bytes that are not UTF-8, or an escaped lone surrogate.
                throw new CassetteException(CassetteProblem.InvalidJson, source,
                    $"Cassette '{source}' holds a string that is not valid UTF-8 text (invalid bytes or an unpaired \\u surrogate escape); fix or re-record it.", ex);
            }
        }
    }

    /// <summary>The cassette as JSON, byte for byte what a save writes: the same entries always give the same bytes.</summary>
    public byte[] ToJson()
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteNumber("version", FormatVersion);
            writer.WriteStartArray("entries");
            foreach (var entry in Entries)
            {
                WriteEntry(writer, entry);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return [.. buffer.WrittenSpan, (byte)'\n'];
    }

    /// <summary>Replaces unpaired UTF-16 surrogates (which UTF-8 cannot carry) with U+FFFD, as a lossy UTF-8 round trip does.</summary>
    internal static string Lossy(string text)
    {
        var clean = true;
        for (var i = 0; i < text.Length && clean; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                clean = false;
            }
        }

        return clean ? text : Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text));
    }

    private static void WriteEntry(Utf8JsonWriter writer, CassetteEntry entry)
    {
        writer.WriteStartObject();
        writer.WriteString("program", Lossy(entry.Program));
        writer.WriteStartArray("args");
        foreach (var argument in entry.Arguments)
        {
            writer.WriteStringValue(Lossy(argument));
        }

        writer.WriteEndArray();
        if (entry.WorkingDirectory is { } cwd)
        {
            writer.WriteString("cwd", Lossy(cwd));
        }

        if (entry.StdinDigest is { } digest)
        {
            writer.WriteNumber("stdin_digest", digest);
        }

        if (entry.HasStdin)
        {
            writer.WriteBoolean("has_stdin", true);
        }

        if (!entry.EnvironmentNames.IsEmpty)
        {
            writer.WriteStartArray("env_names");
            foreach (var name in entry.EnvironmentNames)
            {
                writer.WriteStringValue(Lossy(name));
            }

            writer.WriteEndArray();
        }

        writer.WriteString("stdout", Lossy(entry.Stdout));
        writer.WriteString("stderr", Lossy(entry.Stderr));
        switch (entry.Outcome)
        {
            case Outcome.Exited exited:
                writer.WriteNumber("code", exited.Code);
                break;
            case Outcome.TimedOut:
                writer.WriteNull("code");
                writer.WriteBoolean("timed_out", true);
                break;
            case Outcome.Signalled signalled:
                writer.WriteNull("code");
                if (signalled.Signal is { } signal)
                {
                    writer.WriteNumber("signal", signal.Number);
                }

                break;
        }

        writer.WriteEndObject();
    }

    private static Cassette FromDocument(JsonElement root, string source)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(source, $"is a JSON {Describe(root.ValueKind)}, not an object with \"version\" and \"entries\"");
        }

        // The version is checked before anything else, so a newer cassette says so instead of failing on a field.
        if (!root.TryGetProperty("version", out var version))
        {
            throw Invalid(source, "has no \"version\"");
        }

        if (version.ValueKind != JsonValueKind.Number || !version.TryGetInt64(out var number))
        {
            throw Invalid(source, "has a \"version\" that is not a whole number");
        }

        if (number != FormatVersion)
        {
            throw new CassetteException(CassetteProblem.UnsupportedVersion, source,
                string.Create(CultureInfo.InvariantCulture, $"Cassette '{source}': version {number} is not supported; this library reads version {FormatVersion}. Re-record it with this version."));
        }

        if (!root.TryGetProperty("entries", out var entries) || entries.ValueKind != JsonValueKind.Array)
        {
            throw Invalid(source, "has no \"entries\" array");
        }

        var result = ImmutableArray.CreateBuilder<CassetteEntry>(entries.GetArrayLength());
        var index = 0;
        foreach (var element in entries.EnumerateArray())
        {
            result.Add(ReadEntry(element, index, source));
            index++;
        }

        return new Cassette(result.MoveToImmutable());
    }

    private static CassetteEntry ReadEntry(JsonElement element, int index, string source)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw InvalidEntry(source, index, $"is a JSON {Describe(element.ValueKind)}, not an object");
        }

        var program = RequiredString(element, "program", index, source);
        if (program.Length == 0)
        {
            throw InvalidEntry(source, index, "has an empty \"program\"");
        }

        var arguments = StringArray(element, "args", index, source, required: true);
        var cwd = OptionalString(element, "cwd", index, source);
        ulong? digest = null;
        if (Present(element, "stdin_digest", out var digestElement))
        {
            if (digestElement.ValueKind != JsonValueKind.Number || !digestElement.TryGetUInt64(out var value))
            {
                throw InvalidEntry(source, index, "has a \"stdin_digest\" that is not an unsigned 64-bit number");
            }

            digest = value;
        }

        var hasStdin = OptionalBool(element, "has_stdin", index, source);
        var environment = StringArray(element, "env_names", index, source, required: false);
        var stdout = RequiredString(element, "stdout", index, source);
        var stderr = RequiredString(element, "stderr", index, source);

        int? code = null;
        if (Present(element, "code", out var codeElement))
        {
            if (codeElement.ValueKind != JsonValueKind.Number || !codeElement.TryGetInt32(out var value))
            {
                throw InvalidEntry(source, index, "has a \"code\" that is not a 32-bit integer or null");
            }

            code = value;
        }

        var timedOut = OptionalBool(element, "timed_out", index, source);
        int? signal = null;
        if (Present(element, "signal", out var signalElement))
        {
            if (signalElement.ValueKind != JsonValueKind.Number || !signalElement.TryGetInt32(out var value))
            {
                throw InvalidEntry(source, index, "has a \"signal\" that is not an integer or null");
            }

            signal = value;
        }

        var set = (code is not null ? 1 : 0) + (timedOut ? 1 : 0) + (signal is not null ? 1 : 0);
        if (set > 1)
        {
            throw InvalidEntry(source, index, "sets more than one of \"code\", \"timed_out\" and \"signal\"; an entry ends exactly one way");
        }

        Outcome outcome;
        if (timedOut)
        {
            outcome = new Outcome.TimedOut(TimeoutKind.Overall, TimeSpan.Zero);
        }
        else if (code is { } exitCode)
        {
            outcome = new Outcome.Exited(exitCode);
        }
        else if (signal is { } signalNumber)
        {
            if (signalNumber is < 1 or > 64)
            {
                throw InvalidEntry(source, index, string.Create(CultureInfo.InvariantCulture, $"has \"signal\": {signalNumber}, which is not a signal number (1 to 64)"));
            }

            outcome = new Outcome.Signalled(new Signal(signalNumber));
        }
        else
        {
            outcome = new Outcome.Signalled(null);
        }

        return new CassetteEntry
        {
            Program = program,
            Arguments = arguments,
            WorkingDirectory = cwd,
            StdinDigest = digest,
            HasStdin = hasStdin,
            EnvironmentNames = environment,
            Stdout = stdout,
            Stderr = stderr,
            Outcome = outcome,
        };
    }

    private static bool Present(JsonElement element, string name, out JsonElement value) =>
        element.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    private static string RequiredString(JsonElement element, string name, int index, string source)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            throw InvalidEntry(source, index, $"has no \"{name}\"");
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString()! : throw InvalidEntry(source, index, $"has a \"{name}\" that is not a string");
    }

    private static string? OptionalString(JsonElement element, string name, int index, string source)
    {
        if (!Present(element, name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString()! : throw InvalidEntry(source, index, $"has a \"{name}\" that is not a string");
    }

    private static bool OptionalBool(JsonElement element, string name, int index, string source)
    {
        if (!Present(element, name, out var value))
        {
            return false;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw InvalidEntry(source, index, $"has a \"{name}\" that is not true or false"),
        };
    }

    private static ImmutableArray<string> StringArray(JsonElement element, string name, int index, string source, bool required)
    {
        if (!Present(element, name, out var value))
        {
            return required ? throw InvalidEntry(source, index, $"has no \"{name}\" array") : [];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw InvalidEntry(source, index, $"has a \"{name}\" that is not an array of strings");
        }

        var items = ImmutableArray.CreateBuilder<string>(value.GetArrayLength());
        foreach (var item in value.EnumerateArray())
        {
            items.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : throw InvalidEntry(source, index, $"has a \"{name}\" item that is not a string"));
        }

        return items.MoveToImmutable();
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        _ => "value",
    };

    private static CassetteException Invalid(string source, string what) =>
        new(CassetteProblem.InvalidEntry, source, $"Cassette '{source}' {what}; it is not a version {FormatVersion} cassette. Fix or re-record it.");

    private static CassetteException InvalidEntry(string source, int index, string what) =>
        new(CassetteProblem.InvalidEntry, source, string.Create(CultureInfo.InvariantCulture, $"Cassette '{source}': entry {index} {what}. Fix or re-record it."));
}
