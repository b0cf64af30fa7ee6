namespace Tether.Sessions;

/// <summary>
/// Tells a command line that only runs <c>tether rec …</c> — <c>tether rec status</c>, <c>command tether rec list</c>,
/// <c>/usr/local/bin/tether rec stop</c>, <c>TETHER_REC_PROMPT=0 tether rec start x; tether rec status</c> — so that a
/// recording leaves it out: replaying or exporting a session must never start, stop or query a recording.
/// </summary>
/// <remarks>
/// One reader for all three shells: the hooks write every line to the spool as typed, and the line is read here with
/// the shell parser danger detection uses, so quoting, prefixes (<c>command</c>, <c>env</c>, <c>VAR=x</c>,
/// <c>nohup</c>, …) and a path to the program are seen through alike. A line that also runs anything else
/// (<c>make &amp;&amp; tether rec stop</c>) is kept as typed: it is the user's work.
/// </remarks>
internal static class RecVerbLine
{
    /// <summary>True when every command of <paramref name="line"/> is a <c>tether rec</c> invocation (and there is one).</summary>
    public static bool IsRecOnly(string line)
    {
        // Cheap first: a line that does not even mention the word is the common case and needs no parse.
        if (!line.Contains("tether", StringComparison.OrdinalIgnoreCase) || !line.Contains("rec", StringComparison.Ordinal))
        {
            return false;
        }

        var parsed = ShellLine.Parse(line);
        var commands = parsed.Commands.Where(c => c.Parent is null && !c.Words.IsEmpty).ToList();
        return parsed.IsComplete && commands.Count > 0 && commands.All(IsRec);
    }

    private static bool IsRec(SimpleCommand command) =>
        command.Words.Length >= 2 && CommandPrefixes.ProgramName(command.Words[0]) == "tether" && command.Words[1] == "rec";
}
