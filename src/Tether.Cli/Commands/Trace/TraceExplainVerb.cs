using System.CommandLine;

namespace Tether.Cli.Commands;

/// <summary><c>tether trace explain FILE... (--pid N | --service NAME) [--json]</c>: why was pid N recovered or refused; why was a service restarted, stopped or given up.</summary>
internal sealed class TraceExplainVerb : TraceVerb
{
    private const string Notes = """
        Replays the trace and, for every recovery decision about the pid, tells why from the events that led
        to it: its last accepted beat, when and after how long a silence it was stalled, what the freshness
        re-check found, and the gates it passed or was refused by (the debounce window and the previous
        recovery, a recovery still in flight, the in-flight limit, the agent resuming, the pid recycled).
        Recoveries' ends are listed too. A pid with no recovery decision gets one line with its beats and stalls.

        A supervisor's trace ('tether up --trace FILE') is explained by --service NAME: every input that
        changed something about the service's instances (an exit, a failed start, a probe verdict, a tick
        that ended a backoff, a command, a reload), each with the decisions it led to and the reasons the
        engine gave: restarts scheduled with their backoff and count, giving up at the start limit, stops
        and their cause, state changes. The last line counts the service's starts.

        Exit codes: 0 explained; 1 a missing or unreadable file; 2 a usage error.

        Examples:
          tether trace explain watch.trace --pid 4242
          tether trace explain watch.trace.1 watch.trace --pid 4242 --json
          tether trace explain .tether/up.trace --service web

        """;

    public TraceExplainVerb(VerbContext context)
        : base(context, "explain", "Explain from a trace why a pid was recovered or refused, or why a service was restarted or given up.", "FILE... (--pid N | --service NAME) [--json]", Notes)
    {
        var files = AddFilesArgument();
        var pid = new Option<string>("--pid") { HelpName = "N", Description = "The agent's pid (for a watch trace)." };
        var service = new Option<string>("--service") { HelpName = "NAME", Description = "The service (for a supervisor trace)." };
        Add(pid);
        Add(service);
        var json = AddJsonOption("Print one JSON object: files, pid or service, and lines (the explanation, one string per line).");
        SetAction(parse => Guard(() => Explain(parse.GetValue(files) ?? [], parse.GetValue(pid), parse.GetValue(service), parse.GetValue(json))));
    }

    private int Explain(string[] paths, string? pidText, string? service, bool json)
    {
        if ((pidText is null) == (service is null))
        {
            throw new UsageException("trace explain: give --pid N (a watch trace) or --service NAME (a supervisor trace), one of them.");
        }

        var pid = pidText is null ? (int?)null : OptionValues.Integer("--pid", pidText, 1, int.MaxValue, "4242")!.Value;
        if (service is { Length: 0 })
        {
            throw new UsageException("trace explain: --service: the name is empty: give the service's name, such as web.");
        }

        if (Read(paths, out var exitCode) is not var (files, engine))
        {
            return exitCode;
        }

        var supervisor = engine.Kind == Tether.Supervisor.SupervisorTrace.EngineKind;
        if (supervisor != (service is not null))
        {
            throw new UsageException(supervisor
                ? $"trace explain: '{Printable(files[0].Name)}' is a supervisor trace: name the service with --service NAME."
                : $"trace explain: '{Printable(files[0].Name)}' is a {engine.Kind} trace: name the pid with --pid N.");
        }

        var lines = engine.Explain(files, service ?? pid!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
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
                if (pid is { } number)
                {
                    writer.WriteNumber("pid", number);
                }
                else
                {
                    writer.WriteString("service", service);
                }

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
