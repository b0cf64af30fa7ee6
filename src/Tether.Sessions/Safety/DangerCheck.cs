namespace Tether.Sessions;

/// <summary>
/// Checks a command line against <see cref="DangerRules"/> before it runs — what replay's <c>--danger</c> and
/// <c>--dry-run</c> use to decide which commands need skipping, aborting or asking.
/// </summary>
public static class DangerCheck
{
    /// <summary>
    /// The dangerous parts of a command line: at most one finding per simple command (the first rule that matches,
    /// see <see cref="DangerRules"/>), in the order the commands start in the line, preceded by an
    /// <c>unparsed_line</c> finding for the whole line when it does not parse and the rules include that rule. Empty
    /// when the line is safe, blank, or only a comment. Never throws on any text.
    /// </summary>
    /// <param name="commandLine">The command line, as recorded.</param>
    /// <param name="rules">The rules: a preset, perhaps with custom patterns.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IReadOnlyList<DangerFinding> Check(string commandLine, DangerRules rules)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        ArgumentNullException.ThrowIfNull(rules);
        return Check(ShellLine.Parse(commandLine), rules);
    }

    /// <summary>The dangerous parts of a line already parsed; see <see cref="Check(string, DangerRules)"/>.</summary>
    /// <param name="line">The parsed line.</param>
    /// <param name="rules">The rules.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IReadOnlyList<DangerFinding> Check(ShellLine line, DangerRules rules)
    {
        ArgumentNullException.ThrowIfNull(line);
        ArgumentNullException.ThrowIfNull(rules);

        var findings = new List<DangerFinding>();
        foreach (var rule in rules.Rules)
        {
            if (rule.IsLineRule && rule.Matches(line) is { } detail)
            {
                findings.Add(new DangerFinding
                {
                    RuleId = rule.Id,
                    Reason = $"{rule.Reason} ({detail})",
                    Command = line.Text,
                    Start = 0,
                    Length = line.Text.Length,
                });
            }
        }

        var index = new LineIndex(line);
        foreach (var command in line.Commands)
        {
            var input = new RuleInput(command, index);
            var rule = rules.Rules.FirstOrDefault(r => !r.IsLineRule && r.Matches(input));
            if (rule is not null)
            {
                findings.Add(new DangerFinding
                {
                    RuleId = rule.Id,
                    Reason = rule.Reason,
                    Command = command.Text,
                    Start = command.Start,
                    Length = command.Length,
                });
            }
        }

        return findings;
    }
}
