using System.Collections.Immutable;
using System.Text;
using System.Text.RegularExpressions;

namespace Tether.Sessions;

/// <summary>
/// Replays a recorded session command by command through an <see cref="IProcessRunner"/> (Tether's contained runner by
/// default): each command line runs in <see cref="ReplayOptions.Shell"/> <c>-c</c>, in its recorded directory (or the
/// current one), with its whole process tree contained, so cancelling stops the running command's tree. Danger detection
/// checks each sub-command of every line; <see cref="DangerPolicy.Abort"/> checks all of them before running any.
/// </summary>
public sealed class SessionReplayer
{
    private readonly IProcessRunner _runner;

    /// <summary>Replays with <paramref name="runner"/> (<see cref="ProcessRunner.Default"/> when null).</summary>
    public SessionReplayer(IProcessRunner? runner = null) => _runner = runner ?? ProcessRunner.Default;

    /// <summary>
    /// Replays <paramref name="session"/>. Calls <paramref name="onStep"/> as each command's fate is known (for live
    /// output). Cancelling stops the running command's whole tree, marks the rest not run and reports
    /// <see cref="ReplayReport.Interrupted"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A prompting mode without <see cref="ReplayOptions.Confirm"/>, or a bad option.</exception>
    public async Task<ReplayReport> ReplayAsync(Session session, ReplayOptions options, Action<ReplayStep>? onStep = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(options);
        if ((options.Step || options.Danger == DangerPolicy.Ask) && options.Confirm is null && !options.DryRun)
        {
            throw new ArgumentException("Step-by-step replay and --danger ask need a way to ask: set Confirm.", nameof(options));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(options.From, 1, nameof(options));
        var patterns = options.SkipPatterns.Select(Glob).ToImmutableArray();
        var current = Environment.CurrentDirectory;
        var plan = session.Commands
            .Select((command, i) => (Number: i + 1, Command: command, Directory: options.Directory == ReplayDirectory.Current ? current : command.Cwd, Findings: DangerCheck.Check(command.Command, options.Rules)))
            .ToList();
        var steps = ImmutableArray.CreateBuilder<ReplayStep>(plan.Count);
        void Report(ReplayStep step)
        {
            steps.Add(step);
            onStep?.Invoke(step);
        }

        // Abort: everything is checked before anything runs. A dry run takes every decision below exactly as the real
        // run does and only leaves out running the command, so what it reports is what the real run would do.
        if (options.Danger == DangerPolicy.Abort && plan.Any(p => p.Findings.Count > 0 && !SkippedByChoice(p.Number, p.Command.Command, options, patterns)))
        {
            foreach (var p in plan)
            {
                Report(new ReplayStep(p.Number, p.Command.Command, p.Directory, ReplayStepKind.NotRun, p.Findings.Count > 0 ? "dangerous: " + string.Join("; ", p.Findings) : "aborted: a dangerous command was found", null, p.Findings));
            }

            return new ReplayReport(steps.MoveToImmutable(), Aborted: true, Interrupted: false);
        }

        var stopped = false;
        var interrupted = false;
        foreach (var p in plan)
        {
            var line = p.Command.Command;
            if (stopped)
            {
                Report(new ReplayStep(p.Number, line, p.Directory, ReplayStepKind.NotRun, interrupted ? "interrupted" : "stopped at an earlier failure", null, p.Findings));
                continue;
            }

            if (SkipReason(p.Number, line, options, patterns) is { } skip)
            {
                Report(new ReplayStep(p.Number, line, p.Directory, ReplayStepKind.Skipped, skip, null, p.Findings));
                continue;
            }

            var danger = p.Findings.Count > 0 ? "dangerous: " + string.Join("; ", p.Findings) : null;
            if (danger is not null && options.Danger == DangerPolicy.Skip)
            {
                Report(new ReplayStep(p.Number, line, p.Directory, ReplayStepKind.Skipped, danger, null, p.Findings));
                continue;
            }

            var prompt = new ReplayPrompt(p.Number, line, p.Directory, p.Findings);
            var ask = options.Step || (danger is not null && options.Danger == DangerPolicy.Ask);
            if (ask && options.Confirm is null)
            {
                // A dry run with nobody to predict the answer: the real run would ask here.
                Report(new ReplayStep(p.Number, line, p.Directory, ReplayStepKind.WouldRun, danger is null ? "if the answer is yes" : $"if the answer is yes; {danger}", null, p.Findings));
                continue;
            }

            if (ask && !await options.Confirm!(prompt, cancellationToken).ConfigureAwait(false))
            {
                Report(new ReplayStep(p.Number, line, p.Directory, ReplayStepKind.Skipped, "declined", null, p.Findings));
                continue;
            }

            if (options.DryRun)
            {
                Report(new ReplayStep(p.Number, line, p.Directory, ReplayStepKind.WouldRun, danger, null, p.Findings));
                continue;
            }

            options.Starting?.Invoke(prompt);
            var (step, cancelled) = await RunAsync(p.Number, line, p.Directory, p.Findings, options, cancellationToken).ConfigureAwait(false);
            Report(step);
            if (cancelled)
            {
                stopped = interrupted = true;
            }
            else if (step.Kind == ReplayStepKind.Failed && options.StopOnError)
            {
                stopped = true;
            }
        }

        return new ReplayReport(steps.MoveToImmutable(), Aborted: false, Interrupted: interrupted);
    }

    /// <summary>A glob (<c>*</c> any text, <c>?</c> one character, <c>[…]</c> a class) as a whole-line regular expression.</summary>
    internal static Regex Glob(string pattern)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '*':
                    regex.Append(".*");
                    break;
                case '?':
                    regex.Append('.');
                    break;
                case '[':
                    var close = pattern.IndexOf(']', i + 1);
                    if (close < 0)
                    {
                        regex.Append(@"\[");
                        break;
                    }

                    var set = pattern[(i + 1)..close];
                    regex.Append('[').Append(set.StartsWith('!') ? "^" + Regex.Escape(set[1..]) : Regex.Escape(set)).Append(']');
                    i = close;
                    break;
                default:
                    regex.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }

        return new Regex(regex.Append('$').ToString(), RegexOptions.Singleline | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }

    private static bool SkippedByChoice(int number, string line, ReplayOptions options, ImmutableArray<Regex> patterns) =>
        SkipReason(number, line, options, patterns) is not null;

    private static string? SkipReason(int number, string line, ReplayOptions options, ImmutableArray<Regex> patterns)
    {
        if (number < options.From)
        {
            return $"before --from {options.From}";
        }

        if (options.Skip.Contains(number))
        {
            return "--skip";
        }

        return patterns.FirstOrDefault(p => p.IsMatch(line)) is { } match ? $"--skip-pattern {match}" : null;
    }

    private async Task<(ReplayStep Step, bool Cancelled)> RunAsync(int number, string line, string directory, IReadOnlyList<DangerFinding> findings, ReplayOptions options, CancellationToken cancellationToken)
    {
        var command = new Command(options.Shell).WithArguments("-c", line).WithWorkingDirectory(directory)
            .WithOkExitCodes(0).WithOutputLimit(64 * 1024, OverflowPolicy.KeepNewest).WithTimeout(options.CommandTimeout);
        if (options.Stdout is { } stdout)
        {
            command = command.WithStdoutTee(stdout);
        }

        if ((options.Stderr ?? options.Stdout) is { } stderr)
        {
            command = command.WithStderrTee(stderr);
        }

        if (!System.IO.Directory.Exists(directory))
        {
            return (new ReplayStep(number, line, directory, ReplayStepKind.Failed, $"the directory '{directory}' does not exist (replay with --cwd current to run it here)", null, findings), false);
        }

        try
        {
            var result = await _runner.OutputStringAsync(command, cancellationToken).ConfigureAwait(false);
            return result.IsSuccess
                ? (new ReplayStep(number, line, directory, ReplayStepKind.Succeeded, null, result.Outcome, findings), false)
                : (new ReplayStep(number, line, directory, ReplayStepKind.Failed, result.Outcome.ToString(), result.Outcome, findings), false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return (new ReplayStep(number, line, directory, ReplayStepKind.Failed, "interrupted: its process tree was stopped", null, findings), true);
        }
        catch (TetherException ex)
        {
            return (new ReplayStep(number, line, directory, ReplayStepKind.Failed, ex.Message, null, findings), false);
        }
    }
}
