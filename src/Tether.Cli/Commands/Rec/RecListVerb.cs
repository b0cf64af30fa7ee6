using System.CommandLine;
using System.Globalization;
using Tether.Sessions;

namespace Tether.Cli.Commands;

/// <summary><c>tether rec list [--tag TAG] [--json]</c>: lists the recorded sessions, oldest first.</summary>
internal sealed class RecListVerb : RecVerb
{
    private const string Usage = "[--tag TAG] [--json]";

    private const string Notes = """
        One line per session, oldest first: name, the first 8 characters of its id, when it started (UTC),
        the number of commands, its status (completed, interrupted, or recording while unfinished) and its
        tags. A file of the store that cannot be read is named on stderr with the reason; the others are
        still listed.

        Exit codes: 0 listed; 1 the store cannot be opened; 2 a bad option.

        Examples:
          tether rec list
          tether rec list --tag deploy --json | jq -r '.sessions[].name'

        """;

    public RecListVerb(VerbContext context)
        : base(context, "list", "List the recorded sessions, oldest first: name, id, start, commands, status and tags.", Usage, Notes)
    {
        var tag = new Option<string?>("--tag") { Description = "Only the sessions with this tag." };
        Add(tag);
        var json = AddJsonOption("Print one JSON object: sessions (name, id, started, ended, commands, status, tags, recovered, path) and unreadable (path, reason).");
        SetAction(parse => Guard(() => List(parse.GetValue(tag), parse.GetValue(json))));
    }

    private int List(string? tag, bool json)
    {
        var store = SessionStore.Open();
        var all = store.List();
        var sessions = all.Where(s => s.IsReadable && (tag is null || s.Tags.Contains(tag, StringComparer.Ordinal))).ToList();
        var unreadable = all.Where(s => !s.IsReadable).ToList();
        foreach (var file in unreadable)
        {
            Warn($"cannot read '{file.Path}': {file.Unreadable}");
        }

        if (json)
        {
            WriteJson(writer =>
            {
                writer.WriteStartObject();
                writer.WriteStartArray("sessions");
                foreach (var s in sessions)
                {
                    writer.WriteStartObject();
                    writer.WriteString("name", s.Name);
                    writer.WriteString("id", s.Id);
                    WriteTime(writer, "started", s.Started);
                    WriteTime(writer, "ended", s.Ended);
                    writer.WriteNumber("commands", s.CommandCount);
                    writer.WriteString("status", StatusText(s.Status));
                    WriteStrings(writer, "tags", s.Tags);
                    writer.WriteBoolean("recovered", s.Recovered);
                    writer.WriteString("path", s.Path);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteStartArray("unreadable");
                foreach (var file in unreadable)
                {
                    writer.WriteStartObject();
                    writer.WriteString("path", file.Path);
                    writer.WriteString("reason", file.Unreadable);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            });
            return ExitCodes.Success;
        }

        if (sessions.Count == 0)
        {
            WriteLine(tag is null ? "No sessions recorded yet." : $"No session has the tag '{Printable(tag)}'.");
            return ExitCodes.Success;
        }

        var width = Math.Max(4, sessions.Max(s => Printable(s.Name!).Length));
        WriteLine($"{"NAME".PadRight(width)}  ID        STARTED           COMMANDS  STATUS       TAGS");
        foreach (var s in sessions)
        {
            var tags = string.Join(",", s.Tags.Select(Printable));
            WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Printable(s.Name!).PadRight(width)}  {IdPrefix(s.Id),-8}  {TimeText(s.Started),-16}  {s.CommandCount,8}  {(s.Recovered ? "recovered" : StatusText(s.Status)),-11}  {tags}").TrimEnd());
        }

        return ExitCodes.Success;
    }
}
