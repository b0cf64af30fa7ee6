using System.CommandLine;
using Tether.Supervisor;

namespace Tether.Cli.Commands;

/// <summary><c>tether logs [NAME…] [-f] [-n N] [--file FILE] [--json]</c>: the services' recent output, and with -f what follows.</summary>
internal sealed class LogsVerb : SupervisorVerb
{
    private const string Notes = $"""
        Prints the last N lines the supervisor keeps in memory for each named service (every service when
        none is named), oldest first, each prefixed with its instance's name ('web |', 'web#1 |'; '!'
        instead of '|' marks stderr). With -f it then prints lines as they arrive, until Ctrl+C or until the
        supervisor stops. The files in .tether/logs/ hold more (rotated by size).
        Here -f is --follow: name the project with --file FILE.
        {Lookup}

        With --json: one JSON line per log line (time, service, index, stream, text), in the one envelope.

        Exit codes: 0 printed (and, with -f, the supervisor stopped); 1 no supervisor runs in the project, or
        a name is not a service; 2 a usage error; 130 interrupted while following.

        Examples:
          tether logs
          tether logs web worker -n 50
          tether logs web -f

        """;

    public LogsVerb(VerbContext context)
        : base(context, "logs", "Show the services' recent output; with -f, follow it.", "[NAME…] [-f] [-n N] [--file FILE] [--json]", Notes, shortFile: false)
    {
        var names = new Argument<string[]>("NAME") { Description = "The services whose lines to show [default: every service].", Arity = ArgumentArity.ZeroOrMore };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing lines as they arrive, until Ctrl+C." };
        var lines = new Option<int>("--lines", "-n") { HelpName = "N", Description = "How many recent lines per request to print first [default: 100].", DefaultValueFactory = _ => 100 };
        var json = AddJsonOption("Print each line as a JSON object on its own line.");
        Add(names);
        Add(follow);
        Add(lines);
        SetAction((parse, _) => GuardAsync(async () =>
        {
            var count = parse.GetValue(lines);
            if (count is < 0 or > ControlRoutesLimit)
            {
                throw new UsageException($"-n {count}: give a number of lines from 0 to {ControlRoutesLimit}.");
            }

            var asJson = parse.GetValue(json);
            var printer = new ServiceLines(!asJson && ServiceLines.ColourFor(Console));
            await foreach (var line in Client(parse).LogsAsync(parse.GetValue(names) ?? [], count, parse.GetValue(follow), Interruption.StopRequested).ConfigureAwait(false))
            {
                if (asJson)
                {
                    Json.WriteStored(JsonLine.Write(w => ControlJson.WriteLogLine(w, line)));
                }
                else
                {
                    WriteLine(printer.Format(line));
                }
            }

            return ExitCodes.Success;
        }));
    }

    /// <summary>The most lines the control API gives at once.</summary>
    private const int ControlRoutesLimit = 100_000;
}
