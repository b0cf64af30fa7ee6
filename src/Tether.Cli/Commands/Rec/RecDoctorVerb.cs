using System.Globalization;
using Tether.Sessions;

namespace Tether.Cli.Commands;

/// <summary><c>tether rec doctor [--json]</c>: checks that recording works.</summary>
internal sealed class RecDoctorVerb : RecVerb
{
    private const string Usage = "[--json]";

    private const string Notes = """
        One line per check: ok, warn or FAIL, its name and what was found. Nothing is changed (a
        writability probe file is created and removed at once). The checks: storage (the sessions
        directory exists or can be created), storage-writable, storage-permissions (0700),
        session-permissions (0600, the others are named), session-files (readable, no corrupt lines),
        state-dir (recordings in progress), hooks ('tether rec init' in ~/.bashrc, ~/.zshrc or
        ~/.config/fish/config.fish, or TETHER_REC_HOOKS set), stale-recordings (of shells that are gone).

        Exit codes: 0 no check failed (warnings allowed); 1 a check failed; 2 a bad option.

        Example:
          tether rec doctor

        """;

    public RecDoctorVerb(VerbContext context)
        : base(context, "doctor", "Check that recording works: storage, permissions, session files, hooks, stale recordings.", Usage, Notes)
    {
        var json = AddJsonOption("Print one JSON object: ok, checks [{name, status, detail}] and error (null, or code and message).");
        SetAction(parse => Doctor(parse.GetValue(json)));
    }

    private int Doctor(bool json)
    {
        var checks = SessionDoctor.Run();
        var failed = checks.Any(c => c.Status == DoctorStatus.Fail);
        var failure = failed ? string.Create(CultureInfo.InvariantCulture, $"rec doctor: {Counted.Of(checks.Count(c => c.Status == DoctorStatus.Fail), "check")} failed (marked FAIL on stdout).") : null;
        if (json)
        {
            WriteJson(writer =>
            {
                writer.WriteStartObject();
                writer.WriteBoolean("ok", !failed);
                writer.WriteStartArray("checks");
                foreach (var check in checks)
                {
                    writer.WriteStartObject();
                    writer.WriteString("name", check.Name);
                    writer.WriteString("status", StatusWord(check.Status).ToLowerInvariant());
                    writer.WriteString("detail", check.Detail);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                if (failure is null)
                {
                    writer.WriteNull("error");
                }
                else
                {
                    JsonLine.WriteError(writer, JsonErrorCode.Failed, failure);
                }

                writer.WriteEndObject();
            });
        }
        else
        {
            foreach (var check in checks)
            {
                Console.Out.WriteLine($"{StatusWord(check.Status),-4}  {check.Name,-19}  {check.Detail}");
            }
        }

        if (failed)
        {
            return Fail(failure!);
        }

        return ExitCodes.Success;
    }

    private static string StatusWord(DoctorStatus status) => status switch
    {
        DoctorStatus.Ok => "ok",
        DoctorStatus.Warn => "warn",
        _ => "FAIL",
    };
}
