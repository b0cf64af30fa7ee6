using System.CommandLine;
using System.Globalization;
using Tether.Supervisor;

namespace Tether.Cli.Commands;

/// <summary><c>tether scale NAME=N… [-f FILE] [--json]</c>: run N instances of each named service.</summary>
internal sealed class ScaleVerb : SupervisorVerb
{
    private const string Notes = $"""
        Sets how many instances of each service run (TETHER_INSTANCE is 0 … N-1). More start at once in
        their dependency order; fewer stop the highest-numbered instances (their whole trees, with the stop
        signal and grace). 0 keeps the service but runs nothing. The file is not changed: a reload or the
        next 'tether up' uses its replicas again.
        {Lookup}

        Exit codes: 0 every change was taken; 1 no supervisor runs in the project, or a name is not a
        service; 2 a usage error (not NAME=N).

        Examples:
          tether scale worker=4
          tether scale web=2 worker=0

        """;

    public ScaleVerb(VerbContext context)
        : base(context, "scale", "Run a number of instances of services.", "NAME=N… [-f FILE] [--json]", Notes)
    {
        var targets = new Argument<string[]>("NAME=N") { Description = "A service and how many instances to run, such as worker=3.", Arity = ArgumentArity.OneOrMore };
        var json = AddJsonOption("Print {\"scaled\":{NAME:N,…}} once every change was taken.");
        Add(targets);
        SetAction((parse, _) =>
        {
            var pairs = parse.GetValue(targets)!.Select(Parse).ToList();
            return GuardAsync(async () =>
            {
                var client = Client(parse);
                foreach (var (service, replicas) in pairs)
                {
                    await client.CommandAsync(OperatorAction.Scale, service, replicas, Interruption.StopRequested).ConfigureAwait(false);
                    if (!parse.GetValue(json))
                    {
                        WriteLine($"{Printable(service)}: scaled to {replicas.ToString(CultureInfo.InvariantCulture)}");
                    }
                }

                if (parse.GetValue(json))
                {
                    WriteJson(w =>
                    {
                        w.WriteStartObject();
                        w.WriteStartObject("scaled");
                        foreach (var (service, replicas) in pairs)
                        {
                            w.WriteNumber(service, replicas);
                        }

                        w.WriteEndObject();
                        w.WriteEndObject();
                    });
                }

                return ExitCodes.Success;
            });
        });
    }

    private static (string Service, int Replicas) Parse(string target)
    {
        var equals = target.LastIndexOf('=');
        if (equals <= 0 || !int.TryParse(target.AsSpan(equals + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var replicas))
        {
            throw new UsageException($"'{TerminalText.Printable(target)}' is not NAME=N: write the service and a number of instances from 0, as in 'tether scale worker=3'.");
        }

        return (target[..equals], replicas);
    }
}
