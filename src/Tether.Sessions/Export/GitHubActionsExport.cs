using System.Text;

namespace Tether.Sessions;

/// <summary>
/// A GitHub Actions workflow run by hand (<c>workflow_dispatch</c>): one job, <c>replay</c>, on
/// <c>ubuntu-latest</c>, one step per command with its text in a literal block (<c>run: |</c>).
/// </summary>
/// <remarks>
/// Every step is a new bash process, so a step cannot inherit the directory of the one before: the job's
/// <c>defaults.run.working-directory</c> is the first command's directory, and a step names its own
/// <c>working-directory</c> whenever it ran elsewhere. A plain <c>cd</c> command would change nothing for the next
/// step, so it becomes a comment. A step that failed when recorded gets <c>continue-on-error: true</c>. GitHub
/// evaluates <c>${{ … }}</c> in step fields before the shell sees them; a recorded <c>${{</c> is written as the
/// expression <c>${{ '${{' }}</c>, which evaluates to itself.
/// </remarks>
internal static class GitHubActionsExport
{
    public static string Render(ExportPlan plan)
    {
        var workflow = new StringBuilder();
        workflow.Append(YamlText.Comment(plan.Summary)).Append('\n');
        workflow.Append(YamlText.Comment("Exported by Tether. Each step runs in its own bash shell; steps that failed when recorded")).Append('\n');
        workflow.Append(YamlText.Comment("carry continue-on-error: true.")).Append('\n');
        workflow.Append("name: ").Append(YamlText.Inline(Literal(ShellText.OneLine("Replay " + plan.Name)))).Append('\n');
        workflow.Append("on:\n  workflow_dispatch:\n");
        workflow.Append("jobs:\n  replay:\n    runs-on: ubuntu-latest\n");

        var steps = plan.Commands.Where(c => !c.IsPlainCd).ToList();
        var home = steps.Count > 0 ? steps[0].Cwd : null;
        workflow.Append("    defaults:\n      run:\n        shell: bash\n");
        if (home is not null)
        {
            workflow.Append("        working-directory: ").Append(YamlText.Inline(Literal(home))).Append('\n');
        }

        workflow.Append("    steps:\n");
        if (steps.Count == 0)
        {
            workflow.Append("      - name: Nothing to replay\n");
            workflow.Append("        run: echo 'The session recorded no commands to replay.'\n");
        }

        foreach (var command in plan.Commands)
        {
            if (command.IsPlainCd)
            {
                workflow.Append("      ").Append(YamlText.Comment($"[{command.Number}] {command.Text.Trim()} -- every step names its own working-directory")).Append('\n');
                continue;
            }

            if (command.Failed)
            {
                workflow.Append("      ").Append(YamlText.Comment(command.FailureNote)).Append('\n');
            }

            workflow.Append("      - name: ").Append(YamlText.Inline(Literal($"{command.Number}. {ShellText.Headline(command.Text, 60)}"))).Append('\n');
            if (command.Cwd != home)
            {
                workflow.Append("        working-directory: ").Append(YamlText.Inline(Literal(command.Cwd))).Append('\n');
            }

            if (command.Failed)
            {
                workflow.Append("        continue-on-error: true\n");
            }

            workflow.Append("        run: ").Append(YamlText.Block(Literal(command.Text.TrimEnd('\n') + "\n"), 8)).Append('\n');
        }

        return workflow.ToString();
    }

    /// <summary>Text GitHub will not evaluate: each <c>${{</c> becomes an expression yielding <c>${{</c>.</summary>
    internal static string Literal(string text) => text.Replace("${{", "${{ '${{' }}", StringComparison.Ordinal);
}
