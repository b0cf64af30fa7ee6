using System.CommandLine;
using Tether.Lab;

namespace Tether.Cli.Commands;

/// <summary><c>tether trace export FILE --ndjson [-o OUT]</c>: the trace as newline-delimited JSON for other tools.</summary>
internal sealed class TraceExportVerb : TraceVerb
{
    private const string Notes = """
        Writes the trace as NDJSON: a first line with the header (format, engine, engine_version,
        configuration_hash, seed, file_sequence, first_event, events, stop), then one line per event with the
        same fields as 'trace events --json' (index, digest, at_ms, input, …). To stdout, or with -o to OUT,
        written owner-only and atomically. NDJSON is the only export format today, so --ndjson is required:
        scripts that name it keep working when others are added.

        Exit codes: 0 exported; 1 a missing or unreadable file, or OUT could not be written; 2 a usage error.

        Examples:
          tether trace export watch.trace --ndjson | jq -c 'select(.input == "tick" | not)'
          tether trace export watch.trace --ndjson -o watch.ndjson

        """;

    public TraceExportVerb(VerbContext context)
        : base(context, "export", "Export a trace as NDJSON: the header, then one JSON object per event.", "FILE --ndjson [-o OUT]", Notes)
    {
        var file = AddFileArgument();
        var ndjson = new Option<bool>("--ndjson") { Description = "Write newline-delimited JSON (required: the one export format)." };
        var output = new Option<string>("--output", "-o") { HelpName = "OUT", Description = "Write to OUT (owner-only, replaced atomically) instead of stdout." };
        Add(ndjson);
        Add(output);
        SetAction(parse => Guard(() => Export(parse.GetValue(file)!, parse.GetValue(ndjson), parse.GetValue(output))));
    }

    private int Export(string path, bool ndjson, string? output)
    {
        if (!ndjson)
        {
            throw new UsageException("trace export: say the format: --ndjson (the one export format), as in 'tether trace export watch.trace --ndjson'.");
        }

        if (output is { Length: 0 })
        {
            throw new UsageException("trace export: -o: the path is empty: give the file to write, or leave -o out for stdout.");
        }

        if (Read([path], out var exitCode) is not var (files, engine))
        {
            return exitCode;
        }

        if (output is null)
        {
            using var stdout = new MemoryStream();
            TraceExport.WriteNdjson(engine, files[0], stdout);
            Console.Out.Write(System.Text.Encoding.UTF8.GetString(stdout.ToArray()));
            Console.Out.Flush();
        }
        else
        {
            TraceExport.WriteNdjsonFile(engine, files[0], output);
            Console.WriteError($"trace export: wrote {files[0].EventCount} events to '{Printable(output)}'.");
        }

        return ExitCodes.Success;
    }
}
