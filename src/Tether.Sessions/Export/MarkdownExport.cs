using System.Globalization;
using System.Text;

namespace Tether.Sessions;

/// <summary>
/// A Markdown document: a title, a summary table (number, directory, exit code, duration) and each command in a
/// fenced block, as recorded (a <c>cd</c> is shown as typed: this is a record, not a replay). A fence is always
/// longer than any run of backticks in the command, so a command holding <c>```</c> cannot close it.
/// </summary>
internal static class MarkdownExport
{
    public static string Render(ExportPlan plan)
    {
        var document = new StringBuilder();
        document.Append("# ").Append(Escape(plan.Name)).Append("\n\n");

        var facts = new List<string> { $"Recorded {ExportPlan.Stamp(plan.Started)}" };
        if (plan.Host is not null)
        {
            facts.Add("on " + Code(plan.Host));
        }

        if (plan.Shell is not null)
        {
            facts.Add("with " + Escape(plan.Shell));
        }

        var count = plan.Commands.Length == 1 ? "1 command" : $"{plan.Commands.Length} commands";
        var failed = plan.FailedCount == 0 ? "" : $", {plan.FailedCount} failed";
        var omitted = plan.Omitted.Length == 0 ? "" : $" ({plan.Omitted.Length} failed left out)";
        document.Append(string.Join(' ', facts)).Append(". ").Append(count).Append(failed).Append(omitted).Append(".\n\n");

        if (plan.Commands.IsEmpty)
        {
            return document.Append("No commands were recorded.\n").ToString();
        }

        document.Append("| # | Directory | Exit | Duration |\n");
        document.Append("| ---: | --- | ---: | ---: |\n");
        foreach (var command in plan.Commands)
        {
            document.Append("| ").Append(command.Number)
                .Append(" | ").Append(Cell(Code(command.Cwd)))
                .Append(" | ").Append(Exit(command))
                .Append(" | ").Append(Duration(command.Duration))
                .Append(" |\n");
        }

        var language = plan.Shell is "zsh" or "fish" or "sh" ? plan.Shell : "bash";
        foreach (var command in plan.Commands)
        {
            document.Append("\n## ").Append(command.Number);
            if (command.Failed)
            {
                document.Append(" (failed, exit ").Append(command.ExitCode?.ToString(CultureInfo.InvariantCulture)).Append(')');
            }

            document.Append("\n\nIn ").Append(Code(command.Cwd));
            if (command.Duration is { } duration)
            {
                document.Append(", ").Append(Duration(duration));
            }

            document.Append(":\n\n");
            var fence = new string('`', Math.Max(3, LongestRun(command.Text, '`') + 1));
            document.Append(fence).Append(language).Append('\n');
            document.Append(command.Text.TrimEnd('\n')).Append('\n');
            document.Append(fence).Append('\n');
        }

        return document.ToString();
    }

    private static string Exit(PlannedCommand command) => command.ExitCode switch
    {
        null => "–",
        0 => "0",
        var code => $"**{code}**",
    };

    private static string Duration(TimeSpan? duration) => duration is { } d && d >= TimeSpan.Zero ? Durations.Format(d) : "–";

    /// <summary>Text that Markdown shows as is: every ASCII punctuation character backslash-escaped, line breaks as spaces.</summary>
    private static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length);
        foreach (var c in ShellText.OneLine(text))
        {
            if (char.IsAsciiLetterOrDigit(c) || c > '~' || c == ' ')
            {
                escaped.Append(c);
            }
            else
            {
                escaped.Append('\\').Append(c);
            }
        }

        return escaped.ToString();
    }

    /// <summary>A code span holding <paramref name="text"/>: delimited by more backticks than it holds in a row, control characters shown as C escapes.</summary>
    private static string Code(string text)
    {
        var visible = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            switch (c)
            {
                case '\n': visible.Append(@"\n"); break;
                case '\t': visible.Append(@"\t"); break;
                case '\r': visible.Append(@"\r"); break;
                case var _ when char.IsControl(c) || c is '\u2028' or '\u2029':
                    visible.Append(@"\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default: visible.Append(c); break;
            }
        }

        var content = visible.ToString();
        var delimiter = new string('`', LongestRun(content, '`') + 1);
        var pad = content.StartsWith('`') || content.EndsWith('`') || (content.StartsWith(' ') && content.EndsWith(' ') && content.Trim().Length > 0);
        var space = pad ? " " : "";
        return delimiter + space + content + space + delimiter;
    }

    /// <summary>A table cell: a pipe would end the cell, even inside a code span, unless escaped.</summary>
    private static string Cell(string text) => text.Replace("|", @"\|", StringComparison.Ordinal);

    private static int LongestRun(string text, char c)
    {
        int longest = 0, run = 0;
        foreach (var x in text)
        {
            run = x == c ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }

        return longest;
    }
}
