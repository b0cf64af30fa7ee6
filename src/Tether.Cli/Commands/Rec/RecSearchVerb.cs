using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using Tether.Sessions;

namespace Tether.Cli.Commands;

/// <summary><c>tether rec search QUERY [--regex] [--json]</c>: finds commands across every session.</summary>
internal sealed class RecSearchVerb : RecVerb
{
    private const string Usage = "QUERY [--regex] [--json]";

    private const string Notes = """
        Looks through the commands of every readable session, oldest session first, and prints one line per
        match: the session's name, the command's number and the command line. QUERY matches as text,
        ignoring case; with --regex it is a regular expression. Unreadable files are named on stderr.

        Exit codes: 0 searched (even with no match); 1 the store cannot be opened; 2 a bad option or regex.

        Examples:
          tether rec search 'docker build'
          tether rec search '^git (push|pull)' --regex --json

        """;

    public RecSearchVerb(VerbContext context)
        : base(context, "search", "Find commands across every session: session name, command number and command line.", Usage, Notes)
    {
        var query = new Argument<string>("QUERY") { Description = "The text to look for in command lines (case-insensitive), or with --regex a regular expression." };
        var regex = new Option<bool>("--regex") { Description = "QUERY is a .NET regular expression (case-sensitive)." };
        Add(query);
        Add(regex);
        var json = AddJsonOption("Print one JSON object: matches (session, id, number, command, cwd, exit_code).");
        SetAction(parse => Guard(() => Search(parse.GetValue(query) ?? "", parse.GetValue(regex), parse.GetValue(json))));
    }

    private int Search(string query, bool useRegex, bool json)
    {
        if (query.Length == 0)
        {
            throw new UsageException("rec search: the query is empty: give the text to look for, as in 'tether rec search \"git push\"'.");
        }

        Func<string, bool> matches;
        if (useRegex)
        {
            Regex pattern;
            try
            {
                pattern = new Regex(query, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException ex)
            {
                throw new UsageException($"rec search: '{Printable(query)}' is not a valid regular expression: {ex.Message}");
            }

            matches = pattern.IsMatch;
        }
        else
        {
            matches = text => text.Contains(query, StringComparison.OrdinalIgnoreCase);
        }

        var found = new List<(Session Session, RecordedCommand Command)>();
        foreach (var session in ReadAll())
        {
            found.AddRange(session.Commands.Where(c => matches(c.Command)).Select(c => (session, c)));
        }

        if (json)
        {
            WriteJson(writer =>
            {
                writer.WriteStartObject();
                writer.WriteStartArray("matches");
                foreach (var (session, c) in found)
                {
                    writer.WriteStartObject();
                    writer.WriteString("session", session.Name);
                    writer.WriteString("id", session.Id);
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

                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            });
            return ExitCodes.Success;
        }

        foreach (var (session, c) in found)
        {
            WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Printable(session.Name)}:{c.Index + 1}  {Printable(c.Command)}"));
        }

        return ExitCodes.Success;
    }
}
