using System.CommandLine;
using System.Globalization;
using Tether.Sessions;

namespace Tether.Cli.Commands;

/// <summary><c>tether rec stats [NAME] [--json]</c>: counts sessions, commands and failures (<see cref="SessionStatistics"/>).</summary>
internal sealed class RecStatsVerb : RecVerb
{
    private const string Usage = "[NAME] [--json]";

    private const string Notes = """
        For one session, or all readable sessions when NAME is left out: the number of sessions, commands
        and failed commands (a non-zero exit code), the total time the commands ran, and the ten most used
        programs (the first word of each command line).

        Exit codes: 0 counted; 1 NAME is not found, or the store cannot be opened; 2 a usage error.

        Examples:
          tether rec stats
          tether rec stats deploy --json | jq '.failed'

        """;

    public RecStatsVerb(VerbContext context)
        : base(context, "stats", "Count sessions, commands and failed commands, the most used programs and the total time.", Usage, Notes)
    {
        var name = new Argument<string?>("NAME") { Description = "One session (name or id); all sessions when left out.", Arity = ArgumentArity.ZeroOrOne };
        Add(name);
        var json = AddJsonOption("Print one JSON object: sessions, commands, failed, duration_ms and programs (program, count), most used first.");
        SetAction(parse => Guard(() => Stats(parse.GetValue(name), parse.GetValue(json))));
    }

    private int Stats(string? nameOrId, bool json)
    {
        IReadOnlyList<Session> sessions = nameOrId is null ? ReadAll() : [SessionStore.Open().Load(nameOrId).Session];
        var stats = SessionStatistics.Of(sessions);
        if (json)
        {
            WriteJson(writer =>
            {
                writer.WriteStartObject();
                writer.WriteNumber("sessions", stats.Sessions);
                writer.WriteNumber("commands", stats.Commands);
                writer.WriteNumber("failed", stats.Failed);
                JsonLine.WriteDuration(writer, stats.Duration);
                writer.WriteStartArray("programs");
                foreach (var (program, count) in stats.Programs)
                {
                    writer.WriteStartObject();
                    writer.WriteString("program", program);
                    writer.WriteNumber("count", count);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            });
            return ExitCodes.Success;
        }

        WriteLine(string.Create(CultureInfo.InvariantCulture, $"sessions  {stats.Sessions}"));
        WriteLine(string.Create(CultureInfo.InvariantCulture, $"commands  {stats.Commands}"));
        WriteLine(string.Create(CultureInfo.InvariantCulture, $"failed    {stats.Failed}"));
        WriteLine($"duration  {DurationText(stats.Duration)}");
        WriteLine(stats.Programs.IsEmpty
            ? "programs  (none)"
            : "programs  " + string.Join(", ", stats.Programs.Select(p => string.Create(CultureInfo.InvariantCulture, $"{Printable(p.Program)} ({p.Count})"))));
        return ExitCodes.Success;
    }
}
