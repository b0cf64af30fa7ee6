using System.Collections.Immutable;

namespace Tether.Sessions.Tests;

/// <summary>Sessions for the export specs, built in memory with fixed times (no clock).</summary>
internal static class ExportSamples
{
    public static readonly DateTimeOffset Start = new(2025, 3, 1, 9, 30, 0, TimeSpan.Zero);

    /// <summary>The multi-line command of <see cref="Demo"/>: a heredoc whose body has a leading space, "- " and "$".</summary>
    public const string Heredoc = "cat > notes.md <<'EOF'\n  indented line\n- dash line\ncost: $5 # not a comment\nEOF";

    /// <summary>What <see cref="Heredoc"/> writes.</summary>
    public const string HeredocOutput = "  indented line\n- dash line\ncost: $5 # not a comment\n";

    /// <summary>
    /// A session that can be replayed under <paramref name="root"/>: three directories (one with a space), a plain
    /// <c>cd</c>, a <c>cd</c> inside a compound command, quotes, <c>$HOME</c>, <c>$(…)</c>, <c>$((…))</c>, a
    /// backslash, a <c>#</c> inside quotes and as a comment, unicode, a heredoc, leading and trailing spaces, a
    /// triple backtick, and two commands that failed when recorded (numbers 5 and 7, indexes 4 and 6).
    /// </summary>
    public static Session Demo(string root, string name = "demo") => Build(name, root,
    [
        ("", "mkdir -p build 'odd dir'", 0),
        ("", "cd build", 0),
        ("/build", """echo "it's \"quoted\" and $HOME" > quotes.txt""", 0),
        ("/build", """printf '%s|%s\n' "$(basename "$PWD")" 'back\slash' > subst.txt""", 0),
        ("/build", "false", 1),
        ("/build", "echo 'hash # kept' > hash.txt # a trailing comment", 0),
        ("/build", "grep -q needle /dev/null # nothing to find", 1),
        ("/build", """cd "../odd dir" && touch entered.txt""", 0),
        ("/odd dir", "echo ünïcødé ✓ > 'ünï.txt'", 0),
        ("/odd dir", Heredoc, 0),
        ("/odd dir", """  echo "lead" > lead.txt   """, 0),
        ("/odd dir", """var=$((6*7)); echo "$var" > math.txt""", 0),
        ("/odd dir", "echo '```' > fence.txt", 0),
        ("/odd dir", "touch finished.txt", 0),
    ]);

    /// <summary>A session of <paramref name="commands"/> (directory relative to <paramref name="root"/>, text, exit code).</summary>
    public static Session Build(string name, string root, IReadOnlyList<(string Dir, string Text, int? Exit)> commands, SessionHeader? header = null)
    {
        var recorded = commands.Select((c, i) => new RecordedCommand
        {
            Index = i,
            Command = c.Text,
            Cwd = root + c.Dir,
            Started = Start.AddSeconds(i),
            Ended = Start.AddSeconds(i).AddMilliseconds(250),
            ExitCode = c.Exit,
            Duration = TimeSpan.FromMilliseconds(250),
        });
        return new Session
        {
            Header = header ?? new SessionHeader { Id = "5e55-10n", Name = name, Shell = "bash", Os = "linux", Hostname = "box", Started = Start },
            Commands = [.. recorded],
        };
    }

    /// <summary>A one-command session, for text that must survive a format whatever it holds.</summary>
    public static Session OneCommand(string text, string cwd = "/srv/x") => Build("one", "", [(cwd, text, 0)]);

    /// <summary>A session recorded by alice on box, with her home in the header's environment when <paramref name="withHome"/>.</summary>
    public static Session Alices(IReadOnlyList<(string Dir, string Text, int? Exit)> commands, bool withHome = true)
    {
        var environment = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, withHome
            ? new Dictionary<string, string> { ["HOME"] = "/home/alice", ["USER"] = "alice" }
            : new Dictionary<string, string>());
        var header = new SessionHeader { Id = "a11ce", Name = "alice", Shell = "bash", Hostname = "box", Started = Start, Environment = environment };
        return Build("alice", "", commands, header);
    }
}
