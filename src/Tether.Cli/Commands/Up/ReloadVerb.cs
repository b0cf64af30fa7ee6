using System.CommandLine;
using Tether.Supervisor;

namespace Tether.Cli.Commands;

/// <summary><c>tether reload [-f FILE] [--json]</c>: the supervisor re-reads its file and restarts only what changed.</summary>
internal sealed class ReloadVerb : SupervisorVerb
{
    private const string Notes = $"""
        The supervisor reads its tether.yaml (or Procfile) again and compares it service by service: new
        services start, removed ones stop, changed ones restart with the new definition, a changed replica
        count alone scales, and the rest are left alone. An invalid file changes nothing: the running set
        keeps running and the error is printed (FILE:LINE:COL: message).
        {Lookup}

        Exit codes: 0 reloaded; 1 the file is invalid, or no supervisor runs in the project; 2 a usage error.

        Examples:
          tether reload
          tether reload --json

        """;

    public ReloadVerb(VerbContext context)
        : base(context, "reload", "Re-read the file and restart only the services that changed.", "[-f FILE] [--json]", Notes)
    {
        var json = AddJsonOption("Print what changed: {\"added\":[…],\"removed\":[…],\"restarted\":[…],\"scaled\":[…],\"unchanged\":[…]}.");
        SetAction((parse, _) => GuardAsync(async () =>
        {
            var report = await Client(parse).ReloadAsync(Interruption.StopRequested).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                WriteJson(w => ControlJson.WriteReloadReport(w, report));
                return ExitCodes.Success;
            }

            WriteLine("Reloaded.");
            Print("added", report.Added);
            Print("removed", report.Removed);
            Print("restarted", report.Restarted);
            Print("scaled", report.Scaled);
            Print("unchanged", report.Unchanged);
            return ExitCodes.Success;
        }));
    }

    private void Print(string what, IReadOnlyList<string> services)
    {
        if (services.Count > 0)
        {
            WriteLine($"  {what + ":",-11}{Printable(string.Join(", ", services))}");
        }
    }
}
