using System.CommandLine;
using System.Globalization;
using System.Text;
using Tether.Supervisor;

namespace Tether.Cli.Commands;

/// <summary><c>tether status [-f FILE] [--json]</c>: every service of the running supervisor, as a table.</summary>
internal sealed class StatusVerb : SupervisorVerb
{
    private const string Notes = $"""
        One row per instance: SERVICE (NAME, or NAME#N with replicas), STATE (waiting, starting, running,
        ready, stopping, restarting, completed, exited, failed, stopped), PID, UPTIME of the current
        process, RESTARTS, HEALTH (what the probes last said: unknown, passing, failing), LAST EXIT
        (exit N, signal SIGNAME, killed for memory) and REASON (why it is in that state, such as
        'waiting for db: ready' or 'backoff 400ms after exit 1').
        {Lookup}

        With --json: the document GET /api/status answers (docs/api.md), in the one envelope.

        Exit codes: 0 shown; 1 no supervisor runs in the project; 2 a usage error.

        Examples:
          tether status
          tether status -f deploy/tether.yaml --json

        """;

    public StatusVerb(VerbContext context)
        : base(context, "status", "Show every service of the running supervisor: state, pid, uptime, restarts, health, last exit, reason.", "[-f FILE] [--json]", Notes)
    {
        var json = AddJsonOption("Print the status document of the control API (docs/api.md) as one JSON line.");
        SetAction((parse, _) => GuardAsync(async () =>
        {
            var status = await Client(parse).StatusAsync(Interruption.StopRequested).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                WriteJson(w => ControlJson.WriteStatus(w, status));
            }
            else
            {
                Console.Out.Write(Table(status));
            }

            return ExitCodes.Success;
        }));
    }

    /// <summary>The table: a header, one row per instance, columns as wide as their widest cell.</summary>
    internal static string Table(SupervisorStatus status)
    {
        string[] header = ["SERVICE", "STATE", "PID", "UPTIME", "RESTARTS", "HEALTH", "LAST EXIT", "REASON"];
        var rows = new List<string[]> { header };
        foreach (var instance in status.Instances)
        {
            rows.Add(
            [
                Printable(InstanceName(instance.Id, status.Instances)),
                ControlJson.Word(instance.State),
                instance.Pid?.ToString(CultureInfo.InvariantCulture) ?? "-",
                instance.StartedAt is { } started ? Uptime(status.Uptime - started) : "-",
                instance.Restarts.ToString(CultureInfo.InvariantCulture),
                ControlJson.Word(instance.Health),
                instance.LastExit?.ToString() ?? "-",
                Printable(instance.Reason),
            ]);
        }

        var widths = Enumerable.Range(0, header.Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            for (var c = 0; c < row.Length; c++)
            {
                text.Append(c == row.Length - 1 ? row[c] : row[c].PadRight(widths[c] + 2));
            }

            text.Append('\n');
        }

        foreach (var (service, dropped) in status.DroppedLogLines)
        {
            text.Append(CultureInfo.InvariantCulture, $"{Printable(service)}: {dropped} lines of output did not reach .tether/logs/ (the disk was full or too slow); the service kept running.\n");
        }

        if (status.ShuttingDown)
        {
            text.Append("The supervisor is shutting down.\n");
        }

        return text.ToString();
    }

    /// <summary><c>42s</c>, <c>5m03s</c>, <c>2h07m</c>, <c>3d04h</c>.</summary>
    internal static string Uptime(TimeSpan uptime)
    {
        if (uptime < TimeSpan.Zero)
        {
            uptime = TimeSpan.Zero;
        }

        return uptime.TotalMinutes < 1 ? $"{(int)uptime.TotalSeconds}s"
            : uptime.TotalHours < 1 ? $"{(int)uptime.TotalMinutes}m{uptime.Seconds:00}s"
            : uptime.TotalDays < 1 ? $"{(int)uptime.TotalHours}h{uptime.Minutes:00}m"
            : $"{(int)uptime.TotalDays}d{uptime.Hours:00}h";
    }
}
