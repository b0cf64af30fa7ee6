using System.CommandLine;

namespace Tether.Cli.Commands;

/// <summary><c>tether trace explain FILE... --pid N [--json]</c>: why was pid N recovered, or refused.</summary>
internal sealed class TraceExplainVerb : TraceVerb
{
    private const string Notes = """
        Replays the trace and, for every recovery decision about the pid, tells why from the events that led
        to it: its last accepted beat, when and after how long a silence it was stalled, what the freshness
        re-check found, and the gates it passed or was refused by (the debounce window and the previous
        recovery, a recovery still in flight, the in-flight limit, the agent resuming, the pid recycled).
        Recoveries' ends are listed too. A pid with no recovery decision gets one line with its beats and stalls.

        Exit codes: 0 explained; 1 a missing or unreadable file; 2 a usage error.

        Examples:
          tether trace explain watch.trace --pid 4242
          tether trace explain watch.trace.1 watch.trace --pid 4242 --json

        """;

    public TraceExplainVerb(VerbContext context)
        : base(context, "explain", "Explain from a trace why a pid was recovered, or why its recovery was refused.", "FILE... --pid N [--json]", Notes)
    {
        var files = AddFilesArgument();
        var pid = new Option<string>("--pid") { HelpName = "N", Description = "The agent's pid (required).", Required = true };
        Add(pid);
        var json = AddJsonOption("Print one JSON object: files, pid and lines (the explanation, one string per line).");
        SetAction(parse => Guard(() => Explain(parse.GetValue(files) ?? [], parse.GetValue(pid)!, parse.GetValue(json))));
    }

    private int Explain(string[] paths, string pidText, bool json)
    {
        var pid = OptionValues.Integer("--pid", pidText, 1, int.MaxValue, "4242")!.Value;
        if (Read(paths, out var exitCode) is not var (files, engine))
        {
            return exitCode;
        }

        var lines = engine.Explain(files, pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (json)
        {
            WriteJson(writer =>
            {
                writer.WriteStartObject();
                writer.WriteStartArray("files");
                foreach (var file in files)
                {
                    writer.WriteStringValue(file.Name);
                }

                writer.WriteEndArray();
                writer.WriteNumber("pid", pid);
                writer.WriteStartArray("lines");
                foreach (var line in lines)
                {
                    writer.WriteStringValue(line);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            });
        }
        else
        {
            foreach (var line in lines)
            {
                WriteLine(Printable(line));
            }
        }

        return ExitCodes.Success;
    }
}
