using System.Globalization;
using System.Text.Json;
using Tether.IO;

namespace Tether.Lab;

/// <summary>A trace as NDJSON for other tools: a header line, then one line per event.</summary>
public static class TraceExport
{
    /// <summary>Writes <paramref name="file"/> as NDJSON to <paramref name="destination"/>.</summary>
    public static void WriteNdjson(IEngineTrace engine, TraceFile file, Stream destination)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(destination);
        var h = file.Header;
        using (var writer = new Utf8JsonWriter(destination))
        {
            writer.WriteStartObject();
            writer.WriteString("format", "tether-trace-ndjson");
            writer.WriteNumber("format_version", 1);
            writer.WriteString("engine", h.EngineKind);
            writer.WriteNumber("engine_version", h.EngineVersion);
            writer.WriteString("configuration_hash", h.ConfigurationHash.ToString("x16", CultureInfo.InvariantCulture));
            writer.WriteNumber("seed", h.Seed);
            writer.WriteNumber("file_sequence", h.FileSequence);
            writer.WriteNumber("first_event", h.FirstEventIndex);
            writer.WriteNumber("events", file.EventCount);
            if (file.Stop is { } stop)
            {
                writer.WriteString("stop", stop.ToString());
            }
            else
            {
                writer.WriteNull("stop");
            }

            writer.WriteEndObject();
        }

        destination.WriteByte((byte)'\n');
        foreach (var e in engine.Events(file))
        {
            using (var writer = new Utf8JsonWriter(destination))
            {
                writer.WriteStartObject();
                writer.WriteNumber("index", e.Index);
                writer.WriteNumber("digest", e.Digest);
                e.WriteFields(writer);
                writer.WriteEndObject();
            }

            destination.WriteByte((byte)'\n');
        }
    }

    /// <summary>Writes <paramref name="file"/> as NDJSON to <paramref name="path"/>: owner-only, atomically, never through a link.</summary>
    public static void WriteNdjsonFile(IEngineTrace engine, TraceFile file, string path)
    {
        using var buffer = new MemoryStream();
        WriteNdjson(engine, file, buffer);
        DurableFile.ReplaceAtomically(path, buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }
}
