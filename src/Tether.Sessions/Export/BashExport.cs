using System.Text;

namespace Tether.Sessions;

/// <summary>
/// A bash script: <c>set -euo pipefail</c>, a <c>cd</c> wherever the directory changes, commands verbatim (they are
/// shell text already). A command that failed when recorded runs between <c>set +e</c> and <c>set -e</c>, so the
/// script goes on after it as the session did, while any other failure stops the script.
/// </summary>
/// <remarks>
/// Why not <c>cmd || true</c>: it protects only the last command of a list (<c>a; b || true</c> still stops when
/// <c>a</c> fails), it is a syntax error after a trailing <c>&amp;</c>, it is swallowed by a trailing comment
/// (<c>grep x f # note || true</c>) and it cannot follow a heredoc's body. Bracketing with <c>set +e</c> keeps the
/// recorded text byte for byte and works for all of them.
/// </remarks>
internal static class BashExport
{
    public static string Render(ExportPlan plan)
    {
        var script = new StringBuilder();
        script.Append("#!/usr/bin/env bash\n");
        script.Append("# ").Append(ShellText.OneLine(plan.Summary)).Append('\n');
        script.Append("# Exported by Tether. A cd appears where the directory changes. Commands that failed when recorded\n");
        script.Append("# run between set +e and set -e: their failure does not stop the script, as it did not stop the\n");
        script.Append("# session; any other failure does.\n");
        script.Append("set -euo pipefail\n");

        foreach (var step in plan.ShellSteps())
        {
            switch (step)
            {
                case ShellStep.EnterDirectory enter:
                    script.Append('\n');
                    if (enter.RecordedCd is { } cd)
                    {
                        script.Append("# [").Append(cd.Number).Append("] ").Append(ShellText.OneLine(cd.Text.Trim())).Append('\n');
                    }

                    script.Append("cd ").Append(ShellText.Quote(enter.Directory)).Append('\n');
                    break;

                case ShellStep.Run { Command: var command } when command.Failed:
                    script.Append("# ").Append(command.FailureNote).Append('\n');
                    script.Append("set +e\n").Append(command.Text).Append('\n').Append("set -e\n");
                    break;

                case ShellStep.Run { Command: var command }:
                    script.Append(command.Text).Append('\n');
                    break;

                case ShellStep.Note note:
                    script.Append("# [").Append(note.Command.Number).Append("] ").Append(ShellText.OneLine(note.Command.Text.Trim()))
                        .Append(" -- ").Append(note.Why).Append('\n');
                    break;
            }
        }

        return script.ToString();
    }
}
