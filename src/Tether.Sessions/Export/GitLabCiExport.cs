using System.Text;

namespace Tether.Sessions;

/// <summary>
/// A <c>.gitlab-ci.yml</c> with one stage and one job, <c>replay</c>, in <see cref="ExportOptions.Image"/>, whose
/// <c>script:</c> replays the session: GitLab runs the items one after another in one shell, so a <c>cd</c> item
/// appears only where the directory changes, as in <see cref="BashExport"/>.
/// </summary>
/// <remarks>
/// Each item is a YAML string holding shell text: plain when unambiguous, quoted otherwise, a literal block when it
/// spans lines. GitLab stops the job at the first item that fails, and newer runners check every item's exit code,
/// so a command that failed when recorded is one item of three lines, <c>set +e</c>, the command, <c>set -e</c>,
/// which as a whole succeeds.
/// </remarks>
internal static class GitLabCiExport
{
    public static string Render(ExportPlan plan, string image)
    {
        var pipeline = new StringBuilder();
        pipeline.Append(YamlText.Comment(plan.Summary)).Append('\n');
        pipeline.Append(YamlText.Comment("Exported by Tether. The script runs in one shell; a cd appears where the directory changes.")).Append('\n');
        pipeline.Append(YamlText.Comment("Commands that failed when recorded run between set +e and set -e, so they do not stop the job.")).Append('\n');
        pipeline.Append("stages:\n  - replay\n\n");
        pipeline.Append("replay:\n  stage: replay\n  image: ").Append(YamlText.Inline(image)).Append('\n');
        pipeline.Append("  script:\n");

        var any = false;
        foreach (var step in plan.ShellSteps())
        {
            switch (step)
            {
                case ShellStep.EnterDirectory enter:
                    if (enter.RecordedCd is { } cd)
                    {
                        pipeline.Append("    ").Append(YamlText.Comment($"[{cd.Number}] {cd.Text.Trim()}")).Append('\n');
                    }

                    Item(pipeline, "cd " + ShellText.Quote(enter.Directory));
                    any = true;
                    break;

                case ShellStep.Run { Command: var command } when command.Failed:
                    pipeline.Append("    ").Append(YamlText.Comment(command.FailureNote)).Append('\n');
                    Item(pipeline, "set +e\n" + command.Text.TrimEnd('\n') + "\nset -e");
                    any = true;
                    break;

                case ShellStep.Run { Command: var command }:
                    Item(pipeline, command.Text);
                    any = true;
                    break;

                case ShellStep.Note note:
                    pipeline.Append("    ").Append(YamlText.Comment($"[{note.Command.Number}] {note.Command.Text.Trim()} -- {note.Why}")).Append('\n');
                    break;
            }
        }

        if (!any)
        {
            // GitLab refuses a job without a script line.
            Item(pipeline, "echo 'The session recorded no commands to replay.'");
        }

        return pipeline.ToString();
    }

    private static void Item(StringBuilder pipeline, string text)
    {
        var scalar = text.Contains('\n', StringComparison.Ordinal) ? YamlText.Block(text, 4) : YamlText.Inline(text);
        pipeline.Append("    - ").Append(scalar).Append('\n');
    }
}
