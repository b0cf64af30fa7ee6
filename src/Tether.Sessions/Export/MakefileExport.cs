using System.Text;
using System.Text.RegularExpressions;

namespace Tether.Sessions;

/// <summary>
/// A GNU Makefile with one phony target, named after the session, whose recipe replays it in a single bash shell
/// (<c>.ONESHELL</c>, <c>SHELL := /bin/bash</c>, <c>.SHELLFLAGS := -euo pipefail -c</c>): variables, functions and
/// <c>source</c>d files carry from one command to the next as they did in the session, and a <c>cd</c> appears only
/// where the directory changes. Every <c>$</c> is doubled for make.
/// </summary>
/// <remarks>
/// <para>
/// Failed commands are bracketed with <c>set +e</c> / <c>set -e</c> as in <see cref="BashExport"/>, not prefixed
/// with <c>-</c>: under <c>.ONESHELL</c> make honours <c>-</c>, <c>@</c> and <c>+</c> only on a recipe's first line,
/// for the whole recipe, and strips them (with leading blanks) from every other line when the shell is bash. The
/// alternative, one shell per line with <c>-cd dir &amp;&amp; cmd</c>, would keep <c>-</c> meaningful but lose every
/// variable and <c>source</c> between commands, and could not carry a multi-line command.
/// </para>
/// <para>
/// A command make would alter — one spanning lines (a heredoc), one ending in a backslash (make would join the next
/// line) or one starting with <c>-</c>, <c>@</c> or <c>+</c> (make would strip it) — is written on one line as
/// <c>eval $'…'</c>, which runs the recorded text exactly.
/// </para>
/// </remarks>
internal static partial class MakefileExport
{
    public static string Render(ExportPlan plan)
    {
        var target = TargetName(plan.Name);
        var makefile = new StringBuilder();
        makefile.Append(Comment(plan.Summary));
        makefile.Append(Comment("Exported by Tether. 'make' replays the session in one bash shell (.ONESHELL); a cd appears"));
        makefile.Append(Comment("where the directory changes. Commands that failed when recorded run between set +e and"));
        makefile.Append(Comment("set -e, so their failure does not stop the replay; any other failure does."));
        // GNU make 3.81 (still macOS's /usr/bin/make) ignores .ONESHELL and would run each line in a new shell, in
        // the wrong directory: refuse to run there rather than replay something else.
        makefile.Append("ifeq ($(filter oneshell,$(.FEATURES)),)\n");
        makefile.Append("$(error This Makefile needs GNU make 3.82 or later: it relies on .ONESHELL)\n");
        makefile.Append("endif\n");
        makefile.Append("SHELL := /bin/bash\n");
        makefile.Append(".SHELLFLAGS := -euo pipefail -c\n");
        makefile.Append(".ONESHELL:\n");
        makefile.Append(".PHONY: ").Append(target).Append("\n\n");
        makefile.Append(target).Append(":\n");

        var recipe = new List<string>();
        foreach (var step in plan.ShellSteps())
        {
            switch (step)
            {
                case ShellStep.EnterDirectory enter:
                    if (enter.RecordedCd is { } cd)
                    {
                        recipe.Add(RecipeComment($"[{cd.Number}] {cd.Text.Trim()}"));
                    }

                    recipe.Add("cd " + ShellText.Quote(enter.Directory));
                    break;

                case ShellStep.Run { Command: var command } when command.Failed:
                    recipe.Add(RecipeComment(command.FailureNote));
                    recipe.Add("set +e");
                    recipe.Add(Line(command.Text));
                    recipe.Add("set -e");
                    break;

                case ShellStep.Run { Command: var command }:
                    recipe.Add(Line(command.Text));
                    break;

                case ShellStep.Note note:
                    recipe.Add(RecipeComment($"[{note.Command.Number}] {note.Command.Text.Trim()} -- {note.Why}"));
                    break;
            }
        }

        if (recipe.Count == 0)
        {
            recipe.Add(":");
        }

        // Under .ONESHELL the first line's "@" silences make's echo of the whole recipe: the output is the session's.
        recipe[0] = "@" + recipe[0];
        foreach (var line in recipe)
        {
            makefile.Append('\t').Append(line.Replace("$", "$$", StringComparison.Ordinal)).Append('\n');
        }

        return makefile.ToString();
    }

    /// <summary>
    /// The session's name as a make target: letters, digits, <c>_</c>, <c>.</c> and <c>-</c>, anything else becoming
    /// <c>-</c>; never starting with <c>.</c> (make's special targets) or <c>-</c>; <c>replay</c> when nothing is left.
    /// </summary>
    internal static string TargetName(string name)
    {
        var target = Unsafe().Replace(name, "-").TrimStart('.', '-').TrimEnd('-');
        return target.Length == 0 ? "replay" : target;
    }

    private static string Line(string command)
    {
        var start = command.TrimStart(' ', '\t');
        var makeWouldAlter = command.Contains('\n', StringComparison.Ordinal)
            || command.Contains('\r', StringComparison.Ordinal)
            || command.EndsWith('\\')
            || start.StartsWith('-') || start.StartsWith('@') || start.StartsWith('+');
        return makeWouldAlter ? "eval " + ShellText.AnsiC(command) : command;
    }

    // A make comment continues onto the next line after a final backslash; a recipe line does the same.
    private static string Comment(string text) => "# " + ShellText.OneLine(text).TrimEnd().TrimEnd('\\').TrimEnd() + "\n";

    private static string RecipeComment(string text) => "# " + ShellText.OneLine(text).TrimEnd().TrimEnd('\\').TrimEnd();

    [GeneratedRegex(@"[^A-Za-z0-9_.\-]+", RegexOptions.CultureInvariant)]
    private static partial Regex Unsafe();
}
