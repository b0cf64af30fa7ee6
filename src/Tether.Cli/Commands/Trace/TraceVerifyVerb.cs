using Tether.Lab;

namespace Tether.Cli.Commands;

/// <summary><c>tether trace verify FILE [--json]</c>: checks every chunk's checksum and decodes every event.</summary>
internal sealed class TraceVerifyVerb : TraceVerb
{
    private const string Notes = """
        Checks the header's checksum and configuration hash, every chunk's CRC-32C and event numbering, and
        decodes every event. A valid trace prints 'FILE: ok, N events in M chunks'. Otherwise one line on
        stderr says where reading stopped and why: a torn chunk (the file ends inside it, as after a crash) or
        a damaged one (a checksum that does not match); the events before it are still readable and replay.

        Exit codes: 0 the trace verified; 1 it did not, or FILE does not exist; 2 a usage error.

        Examples:
          tether trace verify watch.trace
          tether trace verify watch.trace --json | jq .stop

        """;

    public TraceVerifyVerb(VerbContext context)
        : base(context, "verify", "Check a trace's checksums and decode every event; say where a torn or damaged file stops.", "FILE [--json]", Notes)
    {
        var file = AddFileArgument();
        var json = AddJsonOption("Print one JSON object: file, valid, events, chunks, stop (null, or offset, chunk, event, reason, torn) and error (null, or code damaged and message).");
        SetAction(parse => Guard(() => Verify(parse.GetValue(file)!, parse.GetValue(json))));
    }

    private int Verify(string path, bool json)
    {
        if (Read([path], out var exitCode) is not var (files, engine))
        {
            return exitCode;
        }

        var file = files[0];
        string? failure = null;
        try
        {
            _ = engine.Events(file).Count();
        }
        catch (TraceFormatException ex)
        {
            failure = $"trace verify: '{Printable(file.Name)}': {Printable(ex.Message)}.";
        }

        if (failure is null && file.Stop is { } stop)
        {
            failure = $"trace verify: '{Printable(file.Name)}': {stop}.";
        }

        if (json)
        {
            WriteJson(writer =>
            {
                writer.WriteStartObject();
                writer.WriteString("file", file.Name);
                writer.WriteBoolean("valid", failure is null);
                writer.WriteNumber("events", file.EventCount);
                writer.WriteNumber("chunks", file.Chunks.Count);
                if (file.Stop is { } s)
                {
                    writer.WriteStartObject("stop");
                    writer.WriteNumber("offset", s.Offset);
                    writer.WriteNumber("chunk", s.ChunkIndex);
                    writer.WriteNumber("event", s.EventIndex);
                    writer.WriteString("reason", s.Reason);
                    writer.WriteBoolean("torn", s.Torn);
                    writer.WriteEndObject();
                }
                else
                {
                    writer.WriteNull("stop");
                }

                WriteError(writer, failure is null ? null : JsonErrorCode.Damaged, failure);
                writer.WriteEndObject();
            });
        }
        else if (failure is null)
        {
            WriteLine($"{Printable(file.Name)}: ok, {file.EventCount} events in {file.Chunks.Count} chunks");
        }

        return failure is null ? ExitCodes.Success : Fail(failure, JsonErrorCode.Damaged);
    }
}
