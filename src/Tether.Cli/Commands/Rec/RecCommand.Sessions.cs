using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Tether.Sessions;
using CliCommand = System.CommandLine.Command;

namespace Tether.Cli.Commands.Rec;

// tether rec list | show | search | rename | tag | untag | delete | copy | diff | stats
internal sealed partial class RecCommand
{
    partial void AddSessionVerbs(CliCommand rec)
    {
        var verbs = new SessionVerbs(Console);
        foreach (var (verb, usage, notes) in verbs.Build())
        {
            rec.Subcommands.Add(verb);
            Page(verb, usage, notes);
        }
    }

    /// <summary>The verbs that list, look into and change stored sessions.</summary>
    private sealed class SessionVerbs(CliConsole console)
    {
        private const string Lookup = "NAME is a session's name or id; a name that is not found gets 'did you mean' suggestions.";

        public IEnumerable<(CliCommand Verb, string Usage, string Notes)> Build()
        {
            yield return BuildList();
            yield return BuildShow();
            yield return BuildSearch();
            yield return BuildRename();
            yield return BuildTag("tag");
            yield return BuildTag("untag");
            yield return BuildDelete();
            yield return BuildCopy();
            yield return BuildDiff();
            yield return BuildStats();
        }

        // ---- list -------------------------------------------------------------------------------------------------

        private (CliCommand, string, string) BuildList()
        {
            var tag = new Option<string?>("--tag") { Description = "Only the sessions with this tag." };
            var json = Json("Print one JSON object: sessions (name, id, started, ended, commands, status, tags, recovered, path) and unreadable (path, reason).");
            var command = new CliCommand("list", "List the recorded sessions, oldest first: name, id, start, commands, status and tags.") { tag, json };
            command.SetAction(parse => Run("list", () => List(parse.GetValue(tag), parse.GetValue(json))));
            return (command, "[--tag TAG] [--json]", """
                One line per session, oldest first: name, the first 8 characters of its id, when it started (UTC),
                the number of commands, its status (completed, interrupted, or recording while unfinished) and its
                tags. A file of the store that cannot be read is named on stderr with the reason; the others are
                still listed.

                Exit codes: 0 listed; 1 the store cannot be opened; 2 a bad option.

                Examples:
                  tether rec list
                  tether rec list --tag deploy --json | jq -r '.sessions[].name'

                """);
        }

        private int List(string? tag, bool json)
        {
            var store = SessionStore.Open();
            var all = store.List();
            var sessions = all.Where(s => s.IsReadable && (tag is null || s.Tags.Contains(tag, StringComparer.Ordinal))).ToList();
            var unreadable = all.Where(s => !s.IsReadable).ToList();
            foreach (var file in unreadable)
            {
                Warn("list", $"cannot read '{file.Path}': {file.Unreadable}");
            }

            if (json)
            {
                WriteLine(JsonLine.Write(writer =>
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
                }));
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
                WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Printable(s.Name!).PadRight(width)}  {IdPrefix(s.Id),-8}  {TimeText(s.Started),-16}  {s.CommandCount,8}  {StatusText(s.Status),-11}  {tags}").TrimEnd());
            }

            return ExitCodes.Success;
        }

        // ---- show -------------------------------------------------------------------------------------------------

        private (CliCommand, string, string) BuildShow()
        {
            var name = NameArgument();
            var grep = new Option<string?>("--grep") { Description = "Only the commands that contain this text (case-insensitive)." };
            var json = Json("Print one JSON object: name, id, started, ended, status, tags, commands (number, command, cwd, exit_code, duration_seconds, started) and problems (line, kind, detail).");
            var command = new CliCommand("show", "Show a session's commands: number, working directory, exit code and duration.") { name, grep, json };
            command.SetAction(parse => Run("show", () => Show(parse.GetValue(name)!, parse.GetValue(grep), parse.GetValue(json))));
            return (command, "NAME [--grep TEXT] [--json]", $"""
                Prints one line about the session, then one line per command: its number (from 1), exit code,
                duration, working directory and the command line. Control characters are shown escaped.
                {Lookup}

                A file that could not be read cleanly still shows what was read; each problem is a warning on
                stderr naming its line: a torn final line (normal after a crash) or a corrupt line N (skipped).

                Exit codes: 0 shown; 1 no such session, or its file cannot be read; 2 a bad option.

                Examples:
                  tether rec show deploy
                  tether rec show deploy --grep kubectl --json | jq -r '.commands[].command'

                """);
        }

        private int Show(string nameOrId, string? grep, bool json)
        {
            var store = SessionStore.Open();
            var load = store.Load(nameOrId);
            var session = load.Session;
            foreach (var problem in load.Problems)
            {
                Warn("show", $"'{Printable(session.Name)}' {Printable(problem.ToString())}");
            }

            var commands = session.Commands
                .Where(c => grep is null || c.Command.Contains(grep, StringComparison.OrdinalIgnoreCase))
                .ToList();
            if (json)
            {
                WriteLine(JsonLine.Write(writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteString("name", session.Name);
                    writer.WriteString("id", session.Id);
                    WriteTime(writer, "started", session.Header.Started);
                    WriteTime(writer, "ended", session.Footer?.Ended);
                    writer.WriteString("status", StatusText(session.Footer?.Status));
                    WriteStrings(writer, "tags", session.Header.Tags);
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

                        if (c.Duration is { } duration)
                        {
                            writer.WriteNumber("duration_seconds", Math.Round(duration.TotalSeconds, 3));
                        }
                        else
                        {
                            writer.WriteNull("duration_seconds");
                        }

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
                }));
                return ExitCodes.Success;
            }

            var tags = session.Header.Tags.IsEmpty ? "" : ", tags " + string.Join(",", session.Header.Tags.Select(Printable));
            WriteLine($"{Printable(session.Name)} ({session.Id}): started {TimeText(session.Header.Started)}, {Count(session.Commands.Length, "command")}, {StatusText(session.Footer?.Status)}{tags}");
            foreach (var c in commands)
            {
                var exit = c.ExitCode is { } code ? code.ToString(CultureInfo.InvariantCulture) : "?";
                var duration = c.Duration is { } d ? DurationText(d) : "?";
                WriteLine(string.Create(CultureInfo.InvariantCulture, $"{c.Index + 1,4}  exit {exit,-3}  {duration,8}  {Printable(c.Cwd)}  $ {Printable(c.Command)}"));
            }

            return ExitCodes.Success;
        }

        // ---- search -----------------------------------------------------------------------------------------------

        private (CliCommand, string, string) BuildSearch()
        {
            var query = new Argument<string>("QUERY") { Description = "The text to look for in command lines (case-insensitive), or with --regex a regular expression." };
            var regex = new Option<bool>("--regex") { Description = "QUERY is a .NET regular expression (case-sensitive)." };
            var json = Json("Print one JSON object: matches (session, id, number, command, cwd, exit_code).");
            var command = new CliCommand("search", "Find commands across every session: session name, command number and command line.") { query, regex, json };
            command.SetAction(parse => Run("search", () => Search(parse.GetValue(query) ?? "", parse.GetValue(regex), parse.GetValue(json))));
            return (command, "QUERY [--regex] [--json]", """
                Looks through the commands of every readable session, oldest session first, and prints one line per
                match: the session's name, the command's number and the command line. QUERY matches as text,
                ignoring case; with --regex it is a regular expression. Unreadable files are named on stderr.

                Exit codes: 0 searched (even with no match); 1 the store cannot be opened; 2 a bad option or regex.

                Examples:
                  tether rec search 'docker build'
                  tether rec search '^git (push|pull)' --regex --json

                """);
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
            foreach (var session in ReadAll("search"))
            {
                found.AddRange(session.Commands.Where(c => matches(c.Command)).Select(c => (session, c)));
            }

            if (json)
            {
                WriteLine(JsonLine.Write(writer =>
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
                }));
                return ExitCodes.Success;
            }

            foreach (var (session, c) in found)
            {
                WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Printable(session.Name)}:{c.Index + 1}  {Printable(c.Command)}"));
            }

            return ExitCodes.Success;
        }

        // ---- rename, tag, untag, delete, copy ---------------------------------------------------------------------

        private (CliCommand, string, string) BuildRename()
        {
            var name = NameArgument();
            var newName = new Argument<string>("NEW") { Description = "The new name." };
            var command = new CliCommand("rename", "Rename a session (its id stays).") { name, newName };
            command.SetAction(parse => Run("rename", () =>
            {
                var (from, to) = (parse.GetValue(name)!, parse.GetValue(newName)!);
                SessionStore.Open().Rename(from, to);
                WriteLine($"Renamed '{Printable(from)}' to '{Printable(to)}'.");
                return ExitCodes.Success;
            }));
            return (command, "NAME NEW", $"""
                Renames the session; only its header line changes, atomically. {Lookup} A name another session has
                is refused and nothing changes.

                Exit codes: 0 renamed; 1 no such session, or NEW is taken or not a valid name; 2 a usage error.

                Example:
                  tether rec rename session-3 deploy-staging

                """);
        }

        private (CliCommand, string, string) BuildTag(string verb)
        {
            var adding = verb == "tag";
            var name = NameArgument();
            var tags = new Argument<string[]>("TAG") { Description = adding ? "The tags to add." : "The tags to remove.", Arity = ArgumentArity.OneOrMore };
            var command = new CliCommand(verb, adding ? "Add tags to a session." : "Remove tags from a session.") { name, tags };
            command.SetAction(parse => Run(verb, () =>
            {
                var (session, given) = (parse.GetValue(name)!, parse.GetValue(tags) ?? []);
                var store = SessionStore.Open();
                if (adding)
                {
                    store.Tag(session, given);
                }
                else
                {
                    store.Untag(session, given);
                }

                var now = store.Load(session).Session.Header.Tags;
                WriteLine($"'{Printable(store.Load(session).Session.Name)}' tags: {(now.IsEmpty ? "(none)" : string.Join(", ", now.Select(Printable)))}");
                return ExitCodes.Success;
            }));
            return (command, "NAME TAG...", adding
                ? $"""
                    Adds each TAG the session does not have yet (order is kept), then prints its tags. {Lookup}
                    'tether rec list --tag TAG' lists the sessions with a tag.

                    Exit codes: 0 tagged; 1 no such session, or a tag is not valid; 2 a usage error.

                    Example:
                      tether rec tag deploy-staging deploy k8s

                    """
                : $"""
                    Removes each TAG (one the session does not have is ignored), then prints its tags. {Lookup}

                    Exit codes: 0 done; 1 no such session; 2 a usage error.

                    Example:
                      tether rec untag deploy-staging k8s

                    """);
        }

        private (CliCommand, string, string) BuildDelete()
        {
            var name = NameArgument();
            var yes = new Option<bool>("--yes", "-y") { Description = "Delete without asking (needed when stdin is not a terminal)." };
            var command = new CliCommand("delete", "Delete a session's file.") { name, yes };
            command.SetAction(parse => Run("delete", () => Delete(parse.GetValue(name)!, parse.GetValue(yes))));
            return (command, "NAME [--yes]", $"""
                Deletes the session's file for good. {Lookup} Without --yes it asks first on the terminal; when
                stdin is not a terminal (a script, a pipe) it refuses instead, so add --yes there.

                Exit codes: 0 deleted; 1 no such session, not confirmed, or stdin is not a terminal without --yes;
                2 a usage error.

                Examples:
                  tether rec delete scratch
                  tether rec delete scratch --yes

                """);
        }

        private int Delete(string nameOrId, bool yes)
        {
            var store = SessionStore.Open();
            var session = store.Load(nameOrId).Session;
            if (!yes)
            {
                if (console.RedirectedStdin is not null)
                {
                    return Fail($"rec delete: stdin is not a terminal, so there is no one to confirm deleting '{Printable(session.Name)}': add --yes, as in 'tether rec delete {Printable(nameOrId)} --yes'.");
                }

                console.Error.Write($"Delete the session '{Printable(session.Name)}' ({Count(session.Commands.Length, "command")})? [y/N] ");
                var answer = System.Console.In.ReadLine()?.Trim();
                if (!string.Equals(answer, "y", StringComparison.OrdinalIgnoreCase) && !string.Equals(answer, "yes", StringComparison.OrdinalIgnoreCase))
                {
                    return Fail($"rec delete: not confirmed; '{Printable(session.Name)}' was kept.");
                }
            }

            store.Delete(session.Id);
            WriteLine($"Deleted '{Printable(session.Name)}'.");
            return ExitCodes.Success;
        }

        private (CliCommand, string, string) BuildCopy()
        {
            var name = NameArgument();
            var newName = new Argument<string>("NEW") { Description = "The name of the copy." };
            var command = new CliCommand("copy", "Copy a session under a new name (and a new id).") { name, newName };
            command.SetAction(parse => Run("copy", () =>
            {
                var (from, to) = (parse.GetValue(name)!, parse.GetValue(newName)!);
                var copy = SessionStore.Open().Copy(from, to);
                WriteLine($"Copied '{Printable(from)}' to '{Printable(copy.Name)}' ({copy.Id}).");
                return ExitCodes.Success;
            }));
            return (command, "NAME NEW", $"""
                Copies the session with its commands, tags and environment under the name NEW and a new id. {Lookup}
                Lines of the original that could not be read are not copied.

                Exit codes: 0 copied; 1 no such session, or NEW is taken or not a valid name; 2 a usage error.

                Example:
                  tether rec copy deploy deploy-edited

                """);
        }

        // ---- diff -------------------------------------------------------------------------------------------------

        private (CliCommand, string, string) BuildDiff()
        {
            var a = new Argument<string>("A") { Description = "The first session (name or id)." };
            var b = new Argument<string>("B") { Description = "The second session (name or id)." };
            var json = Json("Print one JSON object: a, b, only_a, only_b, common (counts) and lines (side: both, a or b; command).");
            var command = new CliCommand("diff", "Compare the commands of two sessions: lines only in A, only in B, and common.") { a, b, json };
            command.SetAction(parse => Run("diff", () => Diff(parse.GetValue(a)!, parse.GetValue(b)!, parse.GetValue(json))));
            return (command, "A B [--json]", """
                Lines up the command lines of the two sessions (a longest common subsequence, by exact text) and
                prints them in order: '  ' for a command in both, '- ' for one only in A, '+ ' for one only in B,
                then a summary line. Working directories, exit codes and timings are not compared.

                Exit codes: 0 compared (even when they differ); 1 a session is not found; 2 a usage error.

                Example:
                  tether rec diff deploy-monday deploy-friday

                """);
        }

        private int Diff(string first, string second, bool json)
        {
            var store = SessionStore.Open();
            var a = store.Load(first).Session;
            var b = store.Load(second).Session;
            var lines = DiffLines(a.Commands.Select(c => c.Command).ToList(), b.Commands.Select(c => c.Command).ToList());
            var onlyA = lines.Count(l => l.Side == 'a');
            var onlyB = lines.Count(l => l.Side == 'b');
            var common = lines.Count(l => l.Side == '=');
            if (json)
            {
                WriteLine(JsonLine.Write(writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteString("a", a.Name);
                    writer.WriteString("b", b.Name);
                    writer.WriteNumber("only_a", onlyA);
                    writer.WriteNumber("only_b", onlyB);
                    writer.WriteNumber("common", common);
                    writer.WriteStartArray("lines");
                    foreach (var (side, text) in lines)
                    {
                        writer.WriteStartObject();
                        writer.WriteString("side", side switch { 'a' => "a", 'b' => "b", _ => "both" });
                        writer.WriteString("command", text);
                        writer.WriteEndObject();
                    }

                    writer.WriteEndArray();
                    writer.WriteEndObject();
                }));
                return ExitCodes.Success;
            }

            WriteLine($"--- {Printable(a.Name)}");
            WriteLine($"+++ {Printable(b.Name)}");
            foreach (var (side, text) in lines)
            {
                WriteLine($"{side switch { 'a' => "- ", 'b' => "+ ", _ => "  " }}{Printable(text)}");
            }

            WriteLine(string.Create(CultureInfo.InvariantCulture, $"{onlyA} only in {Printable(a.Name)}, {onlyB} only in {Printable(b.Name)}, {common} common"));
            return ExitCodes.Success;
        }

        /// <summary>The two lists merged in order by a longest common subsequence: '=' in both, 'a' only in A, 'b' only in B.</summary>
        internal static List<(char Side, string Text)> DiffLines(IReadOnlyList<string> a, IReadOnlyList<string> b)
        {
            var lcs = new int[a.Count + 1, b.Count + 1];
            for (var i = a.Count - 1; i >= 0; i--)
            {
                for (var j = b.Count - 1; j >= 0; j--)
                {
                    lcs[i, j] = string.Equals(a[i], b[j], StringComparison.Ordinal) ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
                }
            }

            var result = new List<(char, string)>();
            int x = 0, y = 0;
            while (x < a.Count && y < b.Count)
            {
                if (string.Equals(a[x], b[y], StringComparison.Ordinal))
                {
                    result.Add(('=', a[x++]));
                    y++;
                }
                else if (lcs[x + 1, y] >= lcs[x, y + 1])
                {
                    result.Add(('a', a[x++]));
                }
                else
                {
                    result.Add(('b', b[y++]));
                }
            }

            result.AddRange(a.Skip(x).Select(t => ('a', t)));
            result.AddRange(b.Skip(y).Select(t => ('b', t)));
            return result;
        }

        // ---- stats ------------------------------------------------------------------------------------------------

        private (CliCommand, string, string) BuildStats()
        {
            var name = new Argument<string?>("NAME") { Description = "One session (name or id); all sessions when left out.", Arity = ArgumentArity.ZeroOrOne };
            var json = Json("Print one JSON object: sessions, commands, failed, duration_seconds and programs (program, count), most used first.");
            var command = new CliCommand("stats", "Count sessions, commands and failed commands, the most used programs and the total time.") { name, json };
            command.SetAction(parse => Run("stats", () => Stats(parse.GetValue(name), parse.GetValue(json))));
            return (command, "[NAME] [--json]", """
                For one session, or all readable sessions when NAME is left out: the number of sessions, commands
                and failed commands (a non-zero exit code), the total time the commands ran, and the ten most used
                programs (the first word of each command line).

                Exit codes: 0 counted; 1 NAME is not found, or the store cannot be opened; 2 a usage error.

                Examples:
                  tether rec stats
                  tether rec stats deploy --json | jq '.failed'

                """);
        }

        private int Stats(string? nameOrId, bool json)
        {
            var store = SessionStore.Open();
            IReadOnlyList<Session> sessions = nameOrId is null ? ReadAll("stats") : [store.Load(nameOrId).Session];
            var commands = sessions.SelectMany(s => s.Commands).ToList();
            var failed = commands.Count(c => c.ExitCode is { } code && code != 0);
            var total = commands.Aggregate(TimeSpan.Zero, (sum, c) => sum + (c.Duration ?? TimeSpan.Zero));
            var programs = commands
                .Select(c => c.Command.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault())
                .OfType<string>()
                .GroupBy(p => p, StringComparer.Ordinal)
                .Select(g => (Program: g.Key, Count: g.Count()))
                .OrderByDescending(p => p.Count)
                .ThenBy(p => p.Program, StringComparer.Ordinal)
                .Take(10)
                .ToList();
            if (json)
            {
                WriteLine(JsonLine.Write(writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteNumber("sessions", sessions.Count);
                    writer.WriteNumber("commands", commands.Count);
                    writer.WriteNumber("failed", failed);
                    writer.WriteNumber("duration_seconds", Math.Round(total.TotalSeconds, 3));
                    writer.WriteStartArray("programs");
                    foreach (var (program, count) in programs)
                    {
                        writer.WriteStartObject();
                        writer.WriteString("program", program);
                        writer.WriteNumber("count", count);
                        writer.WriteEndObject();
                    }

                    writer.WriteEndArray();
                    writer.WriteEndObject();
                }));
                return ExitCodes.Success;
            }

            WriteLine(string.Create(CultureInfo.InvariantCulture, $"sessions  {sessions.Count}"));
            WriteLine(string.Create(CultureInfo.InvariantCulture, $"commands  {commands.Count}"));
            WriteLine(string.Create(CultureInfo.InvariantCulture, $"failed    {failed}"));
            WriteLine($"duration  {DurationText(total)}");
            WriteLine(programs.Count == 0
                ? "programs  (none)"
                : "programs  " + string.Join(", ", programs.Select(p => string.Create(CultureInfo.InvariantCulture, $"{Printable(p.Program)} ({p.Count})"))));
            return ExitCodes.Success;
        }

        // ---- shared -----------------------------------------------------------------------------------------------

        /// <summary>Runs a verb, turning the store's exceptions into one-line errors (exit 1).</summary>
        private int Run(string verb, Func<int> action)
        {
            try
            {
                return action();
            }
            catch (SessionNotFoundException ex)
            {
                var message = ex.Message;
                if (ex.Suggestions.Count > 0 && !message.Contains("did you mean", StringComparison.OrdinalIgnoreCase))
                {
                    message += $" Did you mean: {string.Join(", ", ex.Suggestions)}?";
                }

                return Fail($"rec {verb}: {Printable(CassetteMessages.Clause(message))}");
            }
            catch (Exception ex) when (ex is SessionAmbiguousException or SessionExistsException or SessionNameException or SessionFormatException
                                           or IOException or UnauthorizedAccessException or InvalidOperationException or RegexMatchTimeoutException)
            {
                return Fail($"rec {verb}: {Printable(CassetteMessages.Clause(ex.Message))}");
            }
        }

        /// <summary>Every readable session of the store, oldest first; unreadable files are named on stderr.</summary>
        private List<Session> ReadAll(string verb)
        {
            var store = SessionStore.Open();
            var sessions = new List<Session>();
            foreach (var summary in store.List())
            {
                if (!summary.IsReadable)
                {
                    Warn(verb, $"cannot read '{summary.Path}': {summary.Unreadable}");
                    continue;
                }

                try
                {
                    sessions.Add(store.Load(summary.Id).Session);
                }
                catch (Exception ex) when (ex is SessionFormatException or IOException or UnauthorizedAccessException or SessionNotFoundException or SessionAmbiguousException)
                {
                    Warn(verb, $"cannot read '{summary.Path}': {ex.Message}");
                }
            }

            return sessions;
        }

        private static Argument<string> NameArgument() => new("NAME") { Description = "The session's name or id." };

        private static Option<bool> Json(string description) => new("--json") { Description = description };

        private int Fail(string message)
        {
            console.WriteError(message);
            return ExitCodes.Failure;
        }

        private void Warn(string verb, string message) => console.WriteError($"rec {verb}: warning: {Printable(message)}");

        private void WriteLine(string line) => console.Out.WriteLine(line);

        private static string Printable(string text) => TerminalText.Printable(text);

        private static string IdPrefix(string id) => id.Length > 8 ? id[..8] : id;

        private static string StatusText(SessionStatus? status) => status switch
        {
            SessionStatus.Completed => "completed",
            SessionStatus.Interrupted => "interrupted",
            _ => "recording",
        };

        private static string TimeText(DateTimeOffset? time) =>
            time is { } t ? t.ToUniversalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "?";

        private static string DurationText(TimeSpan duration) => duration.TotalSeconds switch
        {
            < 60 => duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + "s",
            < 3600 => string.Create(CultureInfo.InvariantCulture, $"{(int)duration.TotalMinutes}m{duration.Seconds:00}s"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{(int)duration.TotalHours}h{duration.Minutes:00}m{duration.Seconds:00}s"),
        };

        private static string Count(int count, string noun) =>
            string.Create(CultureInfo.InvariantCulture, $"{count} {noun}{(count == 1 ? "" : "s")}");

        private static void WriteTime(Utf8JsonWriter writer, string name, DateTimeOffset? time)
        {
            if (time is { } t)
            {
                writer.WriteString(name, t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            }
            else
            {
                writer.WriteNull(name);
            }
        }

        private static void WriteStrings(Utf8JsonWriter writer, string name, IEnumerable<string> values)
        {
            writer.WriteStartArray(name);
            foreach (var value in values)
            {
                writer.WriteStringValue(value);
            }

            writer.WriteEndArray();
        }
    }
}
