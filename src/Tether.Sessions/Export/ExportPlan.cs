using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Tether.Sessions;

/// <summary>
/// A session made ready for the renderers: placeholders substituted, failed commands kept or dropped, blank commands
/// dropped, and each command classified. The renderers only decide spelling.
/// </summary>
internal sealed partial record ExportPlan
{
    public required string Name { get; init; }

    public required DateTimeOffset Started { get; init; }

    /// <summary>The host name after substitution (so a parameterized export does not leak it in a comment).</summary>
    public string? Host { get; init; }

    public string? Shell { get; init; }

    public required ImmutableArray<PlannedCommand> Commands { get; init; }

    /// <summary>Indexes of failed commands left out.</summary>
    public ImmutableArray<int> Omitted { get; init; } = [];

    public int FailedCount => Commands.Count(c => c.Failed);

    /// <summary>One line saying what this is: "deploy", recorded … on box with bash: 8 commands, 1 failed when recorded.</summary>
    public string Summary
    {
        get
        {
            var where = Host is null ? "" : $" on {Host}";
            var shell = Shell is null ? "" : $" with {Shell}";
            var count = Commands.Length == 1 ? "1 command" : $"{Commands.Length} commands";
            var failed = FailedCount == 0 ? "" : $", {FailedCount} failed when recorded";
            var omitted = Omitted.Length == 0 ? "" : $", {Omitted.Length} failed left out";
            return $"Session \"{Name}\", recorded {Stamp(Started)}{where}{shell}: {count}{failed}{omitted}.";
        }
    }

    public static string Stamp(DateTimeOffset time) => time.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture);

    public static ExportPlan Build(Session session, ExportOptions options, Placeholders placeholders)
    {
        var commands = ImmutableArray.CreateBuilder<PlannedCommand>(session.Commands.Length);
        var omitted = ImmutableArray.CreateBuilder<int>();
        foreach (var recorded in session.Commands.OrderBy(c => c.Index))
        {
            // A blank line typed at the prompt did nothing; a Dockerfile could not even say "RUN" with nothing after it.
            if (string.IsNullOrWhiteSpace(recorded.Command))
            {
                continue;
            }

            var failed = recorded.ExitCode is int code && code != 0;
            if (failed && !options.IncludeFailed)
            {
                omitted.Add(recorded.Index);
                continue;
            }

            var command = placeholders.Apply(recorded.Command);
            commands.Add(new PlannedCommand(
                recorded.Index,
                command,
                placeholders.Apply(recorded.Cwd),
                recorded.ExitCode,
                recorded.Duration ?? (recorded.Ended - recorded.Started),
                PlainCd().IsMatch(command)));
        }

        return new ExportPlan
        {
            Name = session.Name,
            Started = session.Header.Started,
            Host = session.Header.Hostname is { Length: > 0 } host ? placeholders.Apply(host) : null,
            Shell = session.Header.Shell,
            Commands = commands.ToImmutable(),
            Omitted = omitted.ToImmutable(),
        };
    }

    /// <summary>
    /// The session as a shell would replay it: a directory change before the first command and wherever the directory
    /// changes, then the command. A plain <c>cd</c> command becomes the directory change it caused — to the directory
    /// the next command ran in, which is what the <c>cd</c> did whatever its argument (<c>-</c>, <c>~</c>,
    /// <c>$VAR</c>, a relative path).
    /// </summary>
    public IEnumerable<ShellStep> ShellSteps()
    {
        string? current = null;
        for (var i = 0; i < Commands.Length; i++)
        {
            var command = Commands[i];
            if (command.IsPlainCd)
            {
                if (command.Failed)
                {
                    yield return new ShellStep.Note(command, $"failed when recorded (exit {command.ExitCode}); a cd that failed changed nothing, so it is not replayed");
                }
                else if (i + 1 == Commands.Length)
                {
                    yield return new ShellStep.Note(command, "the last command; nothing ran in the directory it entered, so it is not replayed");
                }
                else if (Commands[i + 1].Cwd != current)
                {
                    current = Commands[i + 1].Cwd;
                    yield return new ShellStep.EnterDirectory(current, command);
                }
                else
                {
                    yield return new ShellStep.Note(command, "the directory did not change");
                }

                continue;
            }

            if (command.Cwd != current)
            {
                current = command.Cwd;
                yield return new ShellStep.EnterDirectory(current, null);
            }

            yield return new ShellStep.Run(command);
        }
    }

    // "cd", "cd build", "cd ../x", "cd -", "cd ~", "cd "$DIR"", "cd 'a b'": one word at most, no operator, one line.
    [GeneratedRegex("""^[ \t]*cd(?:[ \t]+(?:"[^"\r\n]*"|'[^'\r\n]*'|[^\s;&|<>()`'"]+))?[ \t]*$""", RegexOptions.CultureInvariant)]
    private static partial Regex PlainCd();
}

/// <summary>One command of the plan, with its text and directory after substitution.</summary>
internal sealed record PlannedCommand(int Index, string Text, string Cwd, int? ExitCode, TimeSpan? Duration, bool IsPlainCd)
{
    /// <summary>True when it exited non-zero when recorded (an unknown exit code counts as success).</summary>
    public bool Failed => ExitCode is int code && code != 0;

    /// <summary>How listings number it: from 1, as rec shows commands.</summary>
    public int Number => Index + 1;

    /// <summary>"[4] failed when recorded (exit 1)".</summary>
    public string FailureNote => $"[{Number}] failed when recorded (exit {ExitCode})";
}

/// <summary>What a shell-like export (bash, Makefile, GitLab CI, Dockerfile) emits, in order.</summary>
internal abstract record ShellStep
{
    private ShellStep()
    {
    }

    /// <summary>Change to <paramref name="Directory"/>; <paramref name="RecordedCd"/> is the <c>cd</c> command that did it, if one did.</summary>
    public sealed record EnterDirectory(string Directory, PlannedCommand? RecordedCd) : ShellStep;

    /// <summary>Run the command (in the directory entered last).</summary>
    public sealed record Run(PlannedCommand Command) : ShellStep;

    /// <summary>Do not replay the command; say why in a comment.</summary>
    public sealed record Note(PlannedCommand Command, string Why) : ShellStep;
}
