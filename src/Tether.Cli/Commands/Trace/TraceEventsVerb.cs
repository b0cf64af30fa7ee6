using System.CommandLine;
using Tether.Lab;

namespace Tether.Cli.Commands;

/// <summary><c>tether trace events FILE [--from N] [--limit N] [--json]</c>: the recorded inputs, one per line.</summary>
internal sealed class TraceEventsVerb : TraceVerb
{
    private const string Notes = """
        One line per recorded input: its index over the whole recording, its time on the engine's clock and
        what it was (a beat with its pid, nonce and origin; a tick; a freshness answer; a recovery's end).
        --json prints one JSON object per input instead (index, digest of the decisions it caused, at_ms,
        input and its fields). A torn or damaged tail ends the list; 'trace info' says where.

        Exit codes: 0 listed; 1 the file is missing or not a trace; 2 a usage error.

        Examples:
          tether trace events watch.trace --from 1200 --limit 20
          tether trace events watch.trace --json | jq 'select(.pid == 4242)'

        """;

    public TraceEventsVerb(VerbContext context)
        : base(context, "events", "List the inputs a trace recorded, one per line.", "FILE [--from N] [--limit N] [--json]", Notes)
    {
        var file = AddFileArgument();
        var from = new Option<string>("--from") { HelpName = "N", Description = "Start at event N (its index over the whole recording) [default: the file's first]." };
        var limit = new Option<string>("--limit") { HelpName = "N", Description = "Print at most N events." };
        Add(from);
        Add(limit);
        var json = AddJsonOption("Print one JSON object per event: index, digest, at_ms, input and its fields (pid, nonce, status, origin, …).");
        SetAction(parse => Guard(() => List(parse.GetValue(file)!, OptionValues.Integer("--from", parse.GetValue(from), 0, int.MaxValue, "100"), OptionValues.Integer("--limit", parse.GetValue(limit), 1, int.MaxValue, "20"), parse.GetValue(json))));
    }

    private int List(string path, int? from, int? limit, bool json)
    {
        if (Read([path], out var exitCode) is not var (files, engine))
        {
            return exitCode;
        }

        var shown = 0;
        foreach (var e in engine.Events(files[0]))
        {
            if (e.Index < (from ?? 0))
            {
                continue;
            }

            if (shown++ >= (limit ?? int.MaxValue))
            {
                break;
            }

            if (json)
            {
                WriteJson(writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteNumber("index", e.Index);
                    writer.WriteNumber("digest", e.Digest);
                    e.WriteFields(writer);
                    writer.WriteEndObject();
                });
            }
            else
            {
                WriteLine($"#{e.Index} {Printable(e.Text)}");
            }
        }

        if (json && shown == 0)
        {
            // Always one document, so a consumer can tell "no events" from "no output".
            WriteJson(writer =>
            {
                writer.WriteStartObject();
                writer.WriteNumber("events", 0);
                writer.WriteEndObject();
            });
        }

        return ExitCodes.Success;
    }
}
