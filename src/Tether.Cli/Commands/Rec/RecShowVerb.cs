using System.CommandLine;
using System.Globalization;
using Tether.Sessions;

namespace Tether.Cli.Commands;

/// <summary><c>tether rec show NAME [--grep TEXT] [--json]</c>: shows a session's commands.</summary>
internal sealed class RecShowVerb : RecVerb
{
    private const string Usage = "NAME [--grep TEXT] [--json]";

    private const string Notes = $"""
        Prints one line about the session, then one line per command: its number (from 1), exit code,
        duration, working directory and the command line. Control characters are shown escaped.
        {Lookup}

        A file that could not be read cleanly still shows what was read; each problem is a warning on
        stderr naming its line: a torn final line (normal after a crash) or a corrupt line N (skipped).

        Exit codes: 0 shown; 1 no such session, or its file cannot be read; 2 a bad option.

        Examples:
          tether rec show deploy
          tether rec show deploy --grep kubectl --json | jq -r '.commands[].command'

        """;

    public RecShowVerb(VerbContext context)
        : base(context, "show", "Show a session's commands: number, working directory, exit code and duration.", Usage, Notes)
    {
        var name = NameArgument();
        var grep = new Option<string?>("--grep") { Description = "Only the commands that contain this text (case-insensitive)." };
        Add(name);
        Add(grep);
        var json = AddJsonOption("Print one JSON object: name, id, started, ended, status, tags, commands (number, command, cwd, exit_code, duration_ms, started) and problems (line, kind, detail).");
        SetAction(parse => Guard(() => Show(parse.GetValue(name)!, parse.GetValue(grep), parse.GetValue(json))));
    }

    private int Show(string nameOrId, string? grep, bool json)
    {
        var store = SessionStore.Open();
        var load = store.Load(nameOrId);
        var session = load.Session;
        foreach (var problem in load.Problems)
        {
            Warn($"'{Printable(session.Name)}' {Printable(problem.ToString())}");
        }

        var commands = session.Commands
            .Where(c => grep is null || c.Command.Contains(grep, StringComparison.OrdinalIgnoreCase))
            .ToList();
        if (json)
        {
            WriteJson(writer =>
            {
                writer.WriteStartObject();
                writer.WriteString("name", session.Name);
                writer.WriteString("id", session.Id);
                WriteTime(writer, "started", session.Header.Started);
                WriteTime(writer, "ended", session.Footer?.Ended);
                writer.WriteString("status", StatusText(session.Footer?.Status));
                WriteStrings(writer, "tags", session.Header.Tags);
                writer.WriteBoolean("recovered", session.Header.Recovered);
                writer.WriteStartArray("commands");
                foreach (var c in commands)
                {
                    writer.WriteStartObject();
                    writer.WriteNumber("number", c.Index + 1);
                    writer.WriteString("command", c.Command);
                    writer.WriteString("cwd", c.Cwd);
                    if (c.ExitCode is { } code)
                    {
                        writer.WriteNumber("exit_code", code);
                    }
                    else
                    {
                        writer.WriteNull("exit_code");
                    }

                    JsonLine.WriteDuration(writer, c.Duration);

                    WriteTime(writer, "started", c.Started);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteStartArray("problems");
                foreach (var p in load.Problems)
                {
                    writer.WriteStartObject();
                    writer.WriteNumber("line", p.Line);
                    writer.WriteString("kind", p.Kind);
                    writer.WriteString("detail", p.Detail);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            });
            return ExitCodes.Success;
        }

        var tags = session.Header.Tags.IsEmpty ? "" : ", tags " + string.Join(",", session.Header.Tags.Select(Printable));
        WriteLine($"{Printable(session.Name)} ({session.Id}): started {TimeText(session.Header.Started)}, {Count(session.Commands.Length, "command")}, {StatusText(session.Footer?.Status)}{(session.Header.Recovered ? ", recovered (its shell died while recording)" : "")}{tags}");
        foreach (var c in commands)
        {
            var exit = c.ExitCode is { } code ? code.ToString(CultureInfo.InvariantCulture) : "?";
            var duration = c.Duration is { } d ? DurationText(d) : "?";
            WriteLine(string.Create(CultureInfo.InvariantCulture, $"{c.Index + 1,4}  exit {exit,-3}  {duration,8}  {Printable(c.Cwd)}  $ {Printable(c.Command)}"));
        }

        return ExitCodes.Success;
    }
}
