using System.CommandLine;
using System.Globalization;
using Tether.Lab;

namespace Tether.Cli.Commands;

/// <summary><c>tether trace info FILE [--json]</c>: what a trace holds — engine, configuration hash, seed, events, size, span of time, and where reading stopped.</summary>
internal sealed class TraceInfoVerb : TraceVerb
{
    private const string Notes = """
        Prints the header (engine kind and version, configuration hash, seed, the file's place in a rotated
        recording), the events and chunks recovered, the size and bytes per event, the first and last event's
        time on the engine's clock, and — for a torn or damaged file — where reading stopped.

        Exit codes: 0 the header was read (even if the tail is torn: see 'trace verify'); 1 the file is missing
        or not a trace; 2 a usage error.

        Examples:
          tether trace info watch.trace
          tether trace info watch.trace --json | jq .events

        """;

    public TraceInfoVerb(VerbContext context)
        : base(context, "info", "Show what a trace holds: engine, configuration, seed, events, size and where reading stopped.", "FILE [--json]", Notes)
    {
        var file = AddFileArgument();
        var json = AddJsonOption("Print one JSON object: file, engine, engine_version, configuration_hash, seed, file_sequence, first_event, events, chunks, bytes, bytes_per_event, first_at_ms, last_at_ms, stop (null, or offset, chunk, event, reason, torn).");
        SetAction(parse => Guard(() => Show(parse.GetValue(file)!, parse.GetValue(json))));
    }

    private int Show(string path, bool json)
    {
        if (Read([path], out var exitCode) is not var (files, engine))
        {
            return exitCode;
        }

        var file = files[0];
        var events = engine.Events(file).ToList();
        var first = events.Count > 0 ? events[0].At : TimeSpan.Zero;
        var last = events.Count > 0 ? events[^1].At : TimeSpan.Zero;
        var perEvent = file.EventCount > 0 ? file.FileBytes / (double)file.EventCount : 0;
        var h = file.Header;
        if (json)
        {
            WriteJson(writer =>
            {
                writer.WriteStartObject();
                writer.WriteString("file", file.Name);
                writer.WriteString("engine", h.EngineKind);
                writer.WriteNumber("engine_version", h.EngineVersion);
                writer.WriteString("configuration_hash", h.ConfigurationHash.ToString("x16", CultureInfo.InvariantCulture));
                writer.WriteNumber("seed", h.Seed);
                writer.WriteNumber("file_sequence", h.FileSequence);
                writer.WriteNumber("first_event", h.FirstEventIndex);
                writer.WriteNumber("events", file.EventCount);
                writer.WriteNumber("chunks", file.Chunks.Count);
                writer.WriteNumber("bytes", file.FileBytes);
                writer.WriteNumber("bytes_per_event", Math.Round(perEvent, 2));
                writer.WriteNumber("first_at_ms", first.TotalMilliseconds);
                writer.WriteNumber("last_at_ms", last.TotalMilliseconds);
                if (file.Stop is { } stop)
                {
                    writer.WriteStartObject("stop");
                    writer.WriteNumber("offset", stop.Offset);
                    writer.WriteNumber("chunk", stop.ChunkIndex);
                    writer.WriteNumber("event", stop.EventIndex);
                    writer.WriteString("reason", stop.Reason);
                    writer.WriteBoolean("torn", stop.Torn);
                    writer.WriteEndObject();
                }
                else
                {
                    writer.WriteNull("stop");
                }

                writer.WriteEndObject();
            });
            return ExitCodes.Success;
        }

        WriteLine($"{Printable(file.Name)}: {h.EngineKind} engine v{h.EngineVersion}, configuration {h.ConfigurationHash:x16}, seed {h.Seed}");
        if (h.FileSequence > 0)
        {
            WriteLine($"  file {h.FileSequence} of a rotated recording, from event {h.FirstEventIndex}");
        }

        WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {file.EventCount} events in {file.Chunks.Count} chunks, {file.FileBytes} bytes ({perEvent:0.00} bytes/event), t={Ms(first)} to t={Ms(last)}"));
        WriteLine(file.Stop is { } s ? $"  stopped early: {s}" : "  complete: every chunk verified");
        return ExitCodes.Success;
    }
}
