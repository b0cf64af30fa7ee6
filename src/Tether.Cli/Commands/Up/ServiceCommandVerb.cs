using System.CommandLine;
using Tether.Supervisor;

namespace Tether.Cli.Commands;

/// <summary>
/// <c>tether start|stop|restart NAME… [-f FILE] [--json]</c>: one operator command per named service, in the order
/// given; returns once the supervisor took each (not when the service reached its new state: see <c>tether status</c>).
/// </summary>
internal sealed class ServiceCommandVerb : SupervisorVerb
{
    private ServiceCommandVerb(VerbContext context, OperatorAction action, string description, string notes)
        : base(context, ControlJson.Word(action), description, "NAME… [-f FILE] [--json]", notes)
    {
        var names = new Argument<string[]>("NAME") { Description = "The services.", Arity = ArgumentArity.OneOrMore };
        var json = AddJsonOption("Print {\"action\":…,\"services\":[…]} once every command was taken.");
        Add(names);
        SetAction((parse, _) => GuardAsync(async () =>
        {
            var client = Client(parse);
            var services = parse.GetValue(names)!;
            foreach (var service in services)
            {
                await client.CommandAsync(action, service, 0, Interruption.StopRequested).ConfigureAwait(false);
                if (!parse.GetValue(json))
                {
                    WriteLine($"{Printable(service)}: {Past(action)}");
                }
            }

            if (parse.GetValue(json))
            {
                WriteJson(w =>
                {
                    w.WriteStartObject();
                    w.WriteString("action", ControlJson.Word(action));
                    w.WriteStartArray("services");
                    foreach (var service in services)
                    {
                        w.WriteStringValue(service);
                    }

                    w.WriteEndArray();
                    w.WriteEndObject();
                });
            }

            return ExitCodes.Success;
        }));
    }

    /// <summary><c>tether start NAME…</c>.</summary>
    public static ServiceCommandVerb Start(VerbContext context) => new(context, OperatorAction.Start, "Start stopped, failed, completed or exited services again.", Notes(
        "Starts each service that is stopped, failed (given up), completed or exited, and clears its failure\ncount. A service that runs already is left as it is.",
        "tether start worker"));

    /// <summary><c>tether stop NAME…</c>.</summary>
    public static ServiceCommandVerb Stop(VerbContext context) => new(context, OperatorAction.Stop, "Stop services (their whole process trees); the supervisor keeps running.", Notes(
        "Stops each service's whole process tree with its stop signal, then SIGKILL after its grace period.\nIt stays stopped (no restart) until 'tether start'. Services that depend on it keep running.",
        "tether stop worker"));

    /// <summary><c>tether restart NAME…</c>.</summary>
    public static ServiceCommandVerb Restart(VerbContext context) => new(context, OperatorAction.Restart, "Restart services now, without backoff.", Notes(
        "Stops each service's whole tree (its stop signal, grace, then SIGKILL) and starts it again at once.\nThe journal records an operator restart ('tether journal show .tether/journal').",
        "tether restart web worker"));

    private static string Notes(string what, string example) => $"""
        {what}
        {Lookup}

        Exit codes: 0 every command was taken; 1 no supervisor runs in the project, or a name is not a
        service (the commands before it were taken); 2 a usage error.

        Examples:
          {example}
          tether {example.Split(' ')[1]} web -f deploy/tether.yaml

        """;

    private static string Past(OperatorAction action) => action switch
    {
        OperatorAction.Start => "start requested",
        OperatorAction.Stop => "stop requested",
        _ => "restart requested",
    };
}
