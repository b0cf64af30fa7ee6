using System.Text;

namespace Tether.Sessions;

/// <summary>
/// A Dockerfile: <c>FROM</c> <see cref="ExportOptions.Image"/>, bash as the <c>SHELL</c> (the session's commands are
/// bash text, and <c>/bin/sh</c> is dash on Debian and Ubuntu), a <c>WORKDIR</c> wherever the directory changes and a
/// shell-form <c>RUN</c> per command. A plain <c>cd</c> command becomes the <c>WORKDIR</c> it caused: a
/// <c>RUN cd</c> would be forgotten by the next <c>RUN</c>.
/// </summary>
/// <remarks>
/// <para>
/// The exec form (<c>RUN ["…"]</c>) would take the command for a program name, so commands use the shell form,
/// which Docker passes to the shell untouched but for two things: a backslash at the end of a line continues the
/// instruction, and BuildKit reads <c>&lt;&lt;WORD</c> as a Dockerfile heredoc. Line continuations would also remove
/// the command's own line breaks (a heredoc, a multi-line loop). So a command spanning lines, ending in a backslash,
/// holding <c>&lt;&lt;</c> or a control character is written on one line as <c>RUN eval $'…'</c>, which runs
/// exactly the recorded text.
/// </para>
/// <para>
/// A command that failed when recorded gets <c>|| true</c>, which is enough here because each <c>RUN</c> is its own
/// shell without <c>-e</c>: only the last status counts. Where <c>|| true</c> could not simply be appended (a trailing
/// comment would swallow it, a trailing <c>&amp;</c> or <c>;</c> would make it a syntax error) the command goes
/// through <c>eval $'…'</c> first.
/// </para>
/// </remarks>
internal static class DockerfileExport
{
    public static string Render(ExportPlan plan, string image)
    {
        var dockerfile = new StringBuilder();
        dockerfile.Append(YamlText.Comment(plan.Summary)).Append('\n');
        dockerfile.Append("# Exported by Tether. WORKDIR marks each change of directory (a recorded cd included); commands\n");
        dockerfile.Append("# that failed when recorded end in || true so the build goes on as the session did.\n");
        dockerfile.Append("FROM ").Append(image).Append('\n');
        dockerfile.Append("SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\n");

        foreach (var step in plan.ShellSteps())
        {
            switch (step)
            {
                case ShellStep.EnterDirectory enter:
                    dockerfile.Append('\n');
                    if (enter.RecordedCd is { } cd)
                    {
                        dockerfile.Append(YamlText.Comment($"[{cd.Number}] {cd.Text.Trim()}")).Append('\n');
                    }

                    dockerfile.Append("WORKDIR ").Append(Directory(enter.Directory, enter.RecordedCd?.Number)).Append('\n');
                    break;

                case ShellStep.Run { Command: var command } when command.Failed:
                    dockerfile.Append(YamlText.Comment(command.FailureNote)).Append('\n');
                    var text = command.Text.Trim();
                    var appendable = IsVerbatim(text) && !text.Contains('#', StringComparison.Ordinal) && !text.EndsWith('&') && !text.EndsWith(';');
                    dockerfile.Append("RUN ").Append(appendable ? text : "eval " + ShellText.AnsiC(text)).Append(" || true\n");
                    break;

                case ShellStep.Run { Command: var command }:
                    dockerfile.Append("RUN ").Append(Body(command.Text.Trim())).Append('\n');
                    break;

                case ShellStep.Note note:
                    dockerfile.Append(YamlText.Comment($"[{note.Command.Number}] {note.Command.Text.Trim()} -- {note.Why}")).Append('\n');
                    break;
            }
        }

        return dockerfile.ToString();
    }

    private static string Body(string command) => IsVerbatim(command) ? command : "eval " + ShellText.AnsiC(command);

    private static bool IsVerbatim(string command) =>
        !command.Any(c => char.IsControl(c) && c != '\t')
        && !command.EndsWith('\\')
        && !command.Contains("<<", StringComparison.Ordinal);

    /// <summary>
    /// A WORKDIR argument. Docker expands <c>$VAR</c> and strips quotes there, so a path that is not plainly safe is
    /// double-quoted with <c>\</c>, <c>"</c> and <c>$</c> escaped.
    /// </summary>
    private static string Directory(string path, int? number)
    {
        if (path.Any(char.IsControl))
        {
            var which = number is null ? "A directory" : $"The directory command {number} entered";
            throw new UnexportableSessionException($"{which} holds a control character (such as a line break), which a Dockerfile WORKDIR cannot express: {ShellText.OneLine(path)}");
        }

        if (path.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '_' or '.' or '-' or '+' or ',' or '@' or '%' or ':' or '='))
        {
            return path;
        }

        return "\"" + path.Replace("\\", @"\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("$", @"\$", StringComparison.Ordinal) + "\"";
    }
}
