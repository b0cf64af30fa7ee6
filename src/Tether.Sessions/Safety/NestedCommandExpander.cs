namespace Tether.Sessions;

/// <summary>
/// The pass that knows what programs run: given a simple command as <see cref="ShellParser"/> read it (words and
/// redirections, syntax only), it takes off the prefixes that only change how the program runs (<c>sudo -u root</c>,
/// <c>env FOO=1</c>, <c>nohup</c>; <see cref="CommandPrefixes"/>) and yields what the command runs in turn: the scripts
/// it hands to a shell (<c>sh -c</c>, <c>bash -c</c>, <c>su -c</c>, <c>eval</c>, a shell reading a here-string or the
/// output of <c>echo</c>/<c>printf</c>, a here-document fed to a shell directly or through <c>cat</c>/<c>tee</c>;
/// <see cref="NestedScripts"/>) and the commands <c>find … -exec</c> runs.
/// </summary>
/// <remarks>
/// The parser calls the pass as it completes each command, and reads what the pass yields before it reads on, rather
/// than after the whole line: commands found in a nested script are numbered into pipelines in line order, share the
/// line's re-reading budget and depth limit, and the first reading of a span that is read twice (a substitution in the
/// double-quoted script of <c>bash -c "…"</c>) is the one kept. <see cref="Scripts"/> is lazy for the same reason:
/// the pipeline upstream of a shell is looked up only after the shell's here-strings have been read.
/// </remarks>
internal static class NestedCommandExpander
{
    /// <summary>Takes the prefixes off <paramref name="command"/>: sets its program, effective words and wrappers.</summary>
    public static void TakeOffPrefixes(ShellCommandBuilder command) => CommandPrefixes.Apply(command);

    /// <summary>
    /// The scripts <paramref name="command"/> hands to a shell: the script of <c>sh -c '…'</c>, <c>su -c '…'</c> or
    /// <c>eval …</c>; or, for a shell that reads its script from its input, its here-strings and then what the stage
    /// before it in <paramref name="state"/>'s pipeline prints (<c>echo '…' | sh</c>). A here-document's body arrives
    /// later; see <see cref="HereDocumentScript"/>.
    /// </summary>
    public static IEnumerable<EmbeddedScript> Scripts(ShellCommandBuilder command, ShellParseState state)
    {
        if (NestedScripts.Find(command) is var (text, origin))
        {
            yield return new EmbeddedScript(text, origin, command);
            yield break;
        }

        if (!NestedScripts.ReadsScriptFromInput(command))
        {
            yield break;
        }

        // `sh <<< "…"`, and `echo "…" | sh`: the input is the script.
        foreach (var redirection in command.Redirections.Where(r => r.IsHereString))
        {
            yield return new EmbeddedScript(redirection.TargetWord.Value, redirection.TargetWord.Origin, command);
        }

        var upstream = command.Stage > 0 ? state.RecentStage(command.Pipeline, command.Stage - 1) : null;
        if (upstream is not null && NestedScripts.Printed(upstream) is var (printed, printedOrigin))
        {
            yield return new EmbeddedScript(printed, printedOrigin, command);
        }
    }

    /// <summary>
    /// The script a here-document's <paramref name="body"/> is, if any: the body of <c>bash &lt;&lt;EOF</c>, run by the
    /// shell; or the body of <c>cat &lt;&lt;EOF | sh</c>, run by the shell downstream. Null when no shell reads it.
    /// </summary>
    public static EmbeddedScript? HereDocumentScript(ShellCommandBuilder command, string body, IReadOnlyList<int> origin, ShellParseState state)
    {
        if (!command.Emitted)
        {
            return null;
        }

        if (NestedScripts.ReadsScriptFromInput(command))
        {
            return new EmbeddedScript(body, origin, command);
        }

        if (NestedScripts.Passes(command)
            && state.RecentStage(command.Pipeline, command.Stage + 1) is { } shell
            && NestedScripts.ReadsScriptFromInput(shell))
        {
            return new EmbeddedScript(body, origin, shell);
        }

        return null;
    }

    /// <summary>
    /// The commands <c>find … -exec cmd {} \;</c> (and <c>-execdir</c>, <c>-ok</c>, <c>-okdir</c>) runs, each a command
    /// of its own whose parent is the <c>find</c>; empty for a <c>find</c> without actions, null for any other program.
    /// </summary>
    public static IReadOnlyList<ShellCommandBuilder>? FindActions(ShellCommandBuilder command)
    {
        var words = command.Words;
        if (command.ProgramIndex >= words.Count || CommandPrefixes.ProgramName(words[command.ProgramIndex].Value) != "find")
        {
            return null;
        }

        var actions = new List<ShellCommandBuilder>();
        for (var i = command.ProgramIndex + 1; i < words.Count; i++)
        {
            if (words[i].Value.ToLowerInvariant() is not ("-exec" or "-execdir" or "-ok" or "-okdir") || i + 1 >= words.Count)
            {
                continue;
            }

            var end = i + 1;
            while (end < words.Count && words[end].Value is not (";" or "+"))
            {
                end++;
            }

            if (end > i + 1)
            {
                var action = new ShellCommandBuilder(words[i + 1].Start, command, fromSubstitution: false) { End = words[end - 1].End };
                action.Words.AddRange(words.Skip(i + 1).Take(end - i - 1));
                actions.Add(action);
            }

            i = end;
        }

        return actions;
    }
}
