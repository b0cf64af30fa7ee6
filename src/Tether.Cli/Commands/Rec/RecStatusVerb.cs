using System.Globalization;
using Tether.Sessions;

namespace Tether.Cli.Commands;

/// <summary><c>tether rec status [--json]</c>: tells whether this shell is recording.</summary>
internal sealed class RecStatusVerb : RecVerb
{
    private const string Usage = "[--json]";

    private const string Notes = """
        Exit codes: 0 (recording or not: the output says which); 1 the recording state cannot be read.

        With --json: {"recording":true,"name":…,"id":…,"shell":…,"shell_pid":…,"started":…,"commands":N}
        or {"recording":false,"shell_pid":…}.

        """;

    public RecStatusVerb(VerbContext context)
        : base(context, "status", "Tell whether this shell is recording, under which name, and how many commands so far.", Usage, Notes)
    {
        var json = AddJsonOption("Print the status as one JSON line.");
        SetAction(parse => Status(parse.GetValue(json)));
    }

    private int Status(bool json)
    {
        try
        {
            var shell = RecordingShell.FromEnvironment();
            var active = new Recorder(SessionStore.Open()).Status(shell.Pid);
            if (json)
            {
                WriteJson(writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteBoolean("recording", active is not null);
                    if (active is not null)
                    {
                        writer.WriteString("name", active.Name);
                        writer.WriteString("id", active.Id);
                        writer.WriteString("shell", active.Shell);
                        writer.WriteNumber("shell_pid", active.ShellPid);
                        writer.WriteString("started", active.Started.ToString("O", CultureInfo.InvariantCulture));
                        writer.WriteNumber("commands", active.CommandCount);
                    }
                    else
                    {
                        writer.WriteNumber("shell_pid", shell.Pid);
                    }

                    writer.WriteEndObject();
                });
            }
            else if (active is null)
            {
                Console.Out.WriteLine($"Not recording (shell pid {shell.Pid.ToString(CultureInfo.InvariantCulture)}).");
            }
            else
            {
                Console.Out.WriteLine($"Recording '{Printable(active.Name)}' ({active.Shell}, pid {active.ShellPid.ToString(CultureInfo.InvariantCulture)}) since {active.Started.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}: {Count(active.CommandCount, "command")} so far.");
            }

            Console.Out.Flush();
            return ExitCodes.Success;
        }
        catch (Exception e) when (IsRecordingError(e))
        {
            return Fail($"rec status: {Printable(Cause(e))}");
        }
    }
}
