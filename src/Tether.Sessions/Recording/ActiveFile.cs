using System.Collections.Immutable;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Tether.Sessions;

/// <summary>
/// The content of <c>PID-STARTTIME.active</c>, the lock of one recording: a JSON object written by
/// <see cref="Recorder.Start"/> and only read afterwards. Its existence is what the shell hooks test.
/// </summary>
/// <remarks>
/// Fields: <c>format</c> (1), <c>id</c>, <c>name</c>, <c>nameGiven</c> (false when the name was made up), <c>shell</c>,
/// <c>shellPid</c>, <c>shellStartTime</c> (clock ticks since boot, <c>/proc/PID/stat</c> field 22), <c>bootId</c> and
/// <c>pidNamespace</c> (where that pid means something; null when unreadable), <c>started</c> (ISO 8601),
/// <c>hostname</c>, <c>env</c> (the allow-listed variables). Unknown fields are ignored; a newer <c>format</c> is refused.
/// </remarks>
internal sealed record ActiveFile
{
    public const int Format = 1;

    /// <summary>Bigger than any file <see cref="Write"/> produces.</summary>
    public const long MaxBytes = 1024 * 1024;

    public required string Id { get; init; }

    public required string Name { get; init; }

    public bool NameGiven { get; init; }

    public required string Shell { get; init; }

    public required int ShellPid { get; init; }

    public required long ShellStartTime { get; init; }

    public string? BootId { get; init; }

    public string? PidNamespace { get; init; }

    public required DateTimeOffset Started { get; init; }

    public string? Hostname { get; init; }

    public ImmutableSortedDictionary<string, string> Environment { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    public ShellProcess Process => new(ShellPid, ShellStartTime);

    public byte[] Write()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteNumber("format", Format);
            writer.WriteString("id", Id);
            writer.WriteString("name", Name);
            writer.WriteBoolean("nameGiven", NameGiven);
            writer.WriteString("shell", Shell);
            writer.WriteNumber("shellPid", ShellPid);
            writer.WriteNumber("shellStartTime", ShellStartTime);
            writer.WriteString("bootId", BootId);
            writer.WriteString("pidNamespace", PidNamespace);
            writer.WriteString("started", Started.ToString("O", CultureInfo.InvariantCulture));
            writer.WriteString("hostname", Hostname);
            writer.WriteStartObject("env");
            foreach (var (name, value) in Environment)
            {
                writer.WriteString(name, value);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <summary>Reads the file's content.</summary>
    /// <exception cref="FormatException">It is not such a file (the message says what is wrong).</exception>
    public static ActiveFile Parse(ReadOnlySpan<byte> content)
    {
        try
        {
            using var document = JsonDocument.Parse(content.ToArray());
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("it is not a JSON object");
            }

            if (!root.TryGetProperty("format", out var format) || !format.TryGetInt32(out var version) || version != Format)
            {
                throw new FormatException($"its format is not {Format}");
            }

            var environment = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
            if (root.TryGetProperty("env", out var env) && env.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in env.EnumerateObject())
                {
                    if (property.Value.ValueKind == JsonValueKind.String)
                    {
                        environment[property.Name] = property.Value.GetString()!;
                    }
                }
            }

            return new ActiveFile
            {
                Id = RequiredString(root, "id"),
                Name = RequiredString(root, "name"),
                NameGiven = root.TryGetProperty("nameGiven", out var given) && given.ValueKind == JsonValueKind.True,
                Shell = RequiredString(root, "shell"),
                ShellPid = root.TryGetProperty("shellPid", out var pid) && pid.TryGetInt32(out var p) ? p : throw new FormatException("shellPid is missing"),
                ShellStartTime = root.TryGetProperty("shellStartTime", out var start) && start.TryGetInt64(out var s) ? s : throw new FormatException("shellStartTime is missing"),
                BootId = OptionalString(root, "bootId"),
                PidNamespace = OptionalString(root, "pidNamespace"),
                Started = DateTimeOffset.TryParseExact(RequiredString(root, "started"), "O", CultureInfo.InvariantCulture, DateTimeStyles.None, out var started)
                    ? started
                    : throw new FormatException("started is not an ISO 8601 time"),
                Hostname = OptionalString(root, "hostname"),
                Environment = environment.ToImmutable(),
            };
        }
        catch (JsonException e)
        {
            throw new FormatException($"it is not valid JSON ({e.Message})", e);
        }
        catch (InvalidOperationException e)
        {
            // GetString() on text that is not Unicode (an invalid byte, an unpaired \ud800 escape): one flipped bit.
            throw new FormatException($"it holds text that is not valid UTF-8 ({e.Message})", e);
        }
    }

    private static string RequiredString(JsonElement root, string name) =>
        OptionalString(root, name) is { Length: > 0 } value ? value : throw new FormatException($"{name} is missing");

    private static string? OptionalString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
