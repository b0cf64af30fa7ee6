using System.Collections.Immutable;
using System.CommandLine;
using System.Globalization;
using System.Text;
using Tether.Sessions;

namespace Tether.Cli.Commands;

/// <summary><c>tether rec replay NAME [options]</c>: runs a recorded session again, command by command, under safety controls.</summary>
internal sealed class RecReplayVerb : RecVerb
{
    private const string Usage = "NAME [--dry-run] [--step] [--from N] [--skip N,N] [--skip-pattern GLOB]… [--cwd recorded|current] [--stop-on-error] [--danger skip|abort|ask|allow] [--preset minimal|moderate|strict] [--json]";

    private const string Notes = """
        Each command line runs in /bin/bash -c, in the directory it was recorded in (or the current one with
        --cwd current), with its whole process tree contained: Ctrl+C stops the running command's tree and
        the replay. Each step is printed as it is done: its number, what happened and the command.

        Danger: commands the preset flags are skipped (skip), stop the whole replay before anything runs
        (abort), are asked about (ask) or run (allow). --step and --danger ask read y/N from the terminal;
        when stdin is not a terminal, a line of it is the answer, and no answer means no.

        --dry-run takes every decision the real run would take (--from, skips, --danger, the answers read
        from a stdin that is not a terminal) and runs nothing, so its lines, counts and exit code are the
        real run's; only whether a command would fail cannot be known. At a terminal it asks nothing: a
        command the real run would ask about "would run (if the answer is yes)".

        Exit codes: 0 every command that ran succeeded (skips are fine); 1 a command failed, did not run
        after --stop-on-error, or --danger abort found a dangerous command; 2 a usage error; 130 interrupted.

        Examples:
          tether rec replay deploy --dry-run
          tether rec replay deploy --from 3 --skip 5,7 --skip-pattern 'git push*'
          tether rec replay deploy --step --cwd current
          tether rec replay deploy --danger abort --preset strict

        """;

    /// <summary>Answers to the y/N prompts read from a redirected stdin, one line each.</summary>
    private StreamReader? _replayAnswers;

    public RecReplayVerb(VerbContext context)
        : base(context, "replay", "Run a recorded session again, command by command, skipping dangerous commands.", Usage, Notes)
    {
        var name = NameArgument();
        var dryRun = new Option<bool>("--dry-run") { Description = "Run nothing; show what the real run would do, with danger findings, and exit as it would." };
        var step = new Option<bool>("--step") { Description = "Ask y/N before every command." };
        var from = new Option<string>("--from") { HelpName = "N", Description = "Start at command N (1 to the number of commands); earlier ones are skipped." };
        var skip = new Option<string[]>("--skip") { HelpName = "N[,N…]", Description = "Command numbers to skip, such as 3,5 (repeatable)." };
        var skipPattern = new Option<string[]>("--skip-pattern") { HelpName = "GLOB", Description = "Skip commands whose whole line matches GLOB (* ? […]; repeatable)." };
        var cwd = new Option<string>("--cwd") { HelpName = "recorded|current", Description = "Run each command in its recorded directory or in the current one [default: recorded]." };
        var stopOnError = new Option<bool>("--stop-on-error") { Description = "Stop at the first command that fails." };
        var danger = new Option<string>("--danger") { HelpName = "skip|abort|ask|allow", Description = "What to do with dangerous commands [default: skip]." };
        var preset = new Option<string>("--preset") { HelpName = "minimal|moderate|strict", Description = "Which commands count as dangerous [default: moderate]." };
        var dangerConfig = new Option<string>("--danger-config") { HelpName = "FILE", Description = "Custom danger patterns (JSON; see docs/cli.md) [default: $TETHER_REC_CONFIG, else ~/.config/tether/rec.json when it exists]." };
        Add(name);
        Add(dryRun);
        Add(step);
        Add(from);
        Add(skip);
        Add(skipPattern);
        Add(cwd);
        Add(stopOnError);
        Add(danger);
        Add(preset);
        Add(dangerConfig);
        var json = AddJsonOption("Print each step, then a summary, as JSON lines (the commands' own output goes to stderr).");
        SetAction((parse, _) =>
        {
            var options = new ReplayOptions
            {
                DryRun = parse.GetValue(dryRun),
                Step = parse.GetValue(step),
                From = ReplayFrom(parse.GetValue(from)),
                Skip = ReplaySkips(parse.GetValue(skip) ?? []),
                SkipPatterns = [.. parse.GetValue(skipPattern) ?? []],
                Directory = ReplayCwd(parse.GetValue(cwd)),
                StopOnError = parse.GetValue(stopOnError),
                Danger = ReplayDanger(parse.GetValue(danger)),
                Rules = ReplayRules(parse.GetValue(preset), parse.GetValue(dangerConfig)),
            };
            return ReplayAsync(parse.GetValue(name)!, options, parse.GetValue(from) is not null, parse.GetValue(json));
        });
    }

    private async Task<int> ReplayAsync(string name, ReplayOptions options, bool fromGiven, bool json)
    {
        Session session;
        try
        {
            session = SessionStore.Open().Load(name).Session;
        }
        catch (Exception e) when (IsLoadError(e))
        {
            return Fail($"rec replay: {Printable(Cause(e))}");
        }

        var total = session.Commands.Length;
        if (fromGiven && options.From > total)
        {
            throw new UsageException(total == 0
                ? $"--from {options.From.ToString(CultureInfo.InvariantCulture)}: '{Printable(session.Name)}' has no commands to replay."
                : $"--from {options.From.ToString(CultureInfo.InvariantCulture)}: '{Printable(session.Name)}' has {RecVerb.Count(total, "command")}: give a number from 1 to {total.ToString(CultureInfo.InvariantCulture)}.");
        }

        // A dry run asks nothing of a terminal (the real run's answer cannot be known, so such steps would run "if the
        // answer is yes"); with no terminal it takes the answers exactly as the real run would: a piped line, or no.
        var canPredictAnswers = Console.RedirectedStdin is not null || System.Console.IsInputRedirected;
        options = options with
        {
            Confirm = options.DryRun && !canPredictAnswers ? null : (prompt, token) => AskReplayAsync(prompt, total, token),
            Stdout = json ? Console.Stderr : Console.Stdout,
            Stderr = Console.Stderr,
            Starting = json ? null : prompt =>
            {
                // Before the command's own output, which streams straight to stdout while it runs.
                Console.Out.WriteLine($"[{prompt.Number.ToString(CultureInfo.InvariantCulture)}/{total.ToString(CultureInfo.InvariantCulture)}] running: {Printable(prompt.Command)}");
                Console.Out.Flush();
            },
        };

        void Print(ReplayStep step)
        {
            Console.Out.WriteLine(json ? ReplayStepJson(step) : ReplayStepLine(step, total));
            Console.Out.Flush();
        }

        ReplayReport report;
        try
        {
            report = await new SessionReplayer().ReplayAsync(session, options, Print, Interruption.StopRequested).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (Interruption.StopRequested.IsCancellationRequested)
        {
            Console.WriteError("rec replay: interrupted.");
            return ExitCodes.Interrupted;
        }
        catch (ArgumentException e)
        {
            return Fail($"rec replay: {Printable(Cause(e))}");
        }

        int Count(ReplayStepKind kind) => report.Steps.Count(s => s.Kind == kind);
        if (json)
        {
            WriteJson(writer =>
            {
                writer.WriteStartObject();
                writer.WriteString("session", session.Name);
                writer.WriteBoolean("succeeded", report.Succeeded);
                writer.WriteBoolean("aborted", report.Aborted);
                writer.WriteBoolean("interrupted", report.Interrupted);
                writer.WriteNumber("commands", total);
                writer.WriteNumber("ran", Count(ReplayStepKind.Succeeded) + Count(ReplayStepKind.Failed));
                writer.WriteNumber("failed", Count(ReplayStepKind.Failed));
                writer.WriteNumber("skipped", Count(ReplayStepKind.Skipped));
                writer.WriteNumber("not_run", Count(ReplayStepKind.NotRun));
                writer.WriteEndObject();
            });
        }
        else
        {
            var summary = options.DryRun
                ? $"Dry run of '{Printable(session.Name)}': {Count(ReplayStepKind.WouldRun)} would run, {Count(ReplayStepKind.Skipped)} skipped{(Count(ReplayStepKind.NotRun) > 0 ? $", {Count(ReplayStepKind.NotRun)} not run" : "")}."
                : $"Replayed '{Printable(session.Name)}': {Count(ReplayStepKind.Succeeded)} succeeded, {Count(ReplayStepKind.Failed)} failed, {Count(ReplayStepKind.Skipped)} skipped, {Count(ReplayStepKind.NotRun)} not run.";
            Console.Out.WriteLine(summary);
        }

        Console.Out.Flush();
        if (report.Interrupted)
        {
            Console.WriteError("rec replay: interrupted; the running command's process tree was stopped.");
            return ExitCodes.Interrupted;
        }

        if (report.Aborted)
        {
            var first = report.Steps.First(s => s.Findings.Count > 0);
            return Fail($"rec replay: {(options.DryRun ? "would abort" : "aborted")} before running anything: command {first.Number.ToString(CultureInfo.InvariantCulture)} is dangerous ({first.Findings[0].RuleId}: {first.Findings[0].Reason}); skip it with --skip {first.Number.ToString(CultureInfo.InvariantCulture)} or use --danger skip.");
        }

        if (!report.Succeeded)
        {
            return Fail($"rec replay: {report.FailedCount.ToString(CultureInfo.InvariantCulture)} of {Counted.Of(total, "command")} failed{(Count(ReplayStepKind.NotRun) > 0 ? $", {Count(ReplayStepKind.NotRun).ToString(CultureInfo.InvariantCulture)} not run" : "")}.");
        }

        return ExitCodes.Success;
    }

    private async Task<bool> AskReplayAsync(ReplayPrompt prompt, int total, CancellationToken token)
    {
        var why = prompt.Findings.Count > 0 ? $" DANGEROUS: {string.Join("; ", prompt.Findings.Select(f => f.ToString()))}." : "";
        await Console.Error.WriteAsync($"[{prompt.Number.ToString(CultureInfo.InvariantCulture)}/{total.ToString(CultureInfo.InvariantCulture)}] run '{Printable(prompt.Command)}' in {Printable(prompt.Directory)}?{why} [y/N] ").ConfigureAwait(false);
        await Console.Error.FlushAsync(token).ConfigureAwait(false);
        string? answer;
        if (Console.RedirectedStdin is { } stdin)
        {
            _replayAnswers ??= new StreamReader(stdin, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 1024, leaveOpen: true);
            answer = await _replayAnswers.ReadLineAsync(token).ConfigureAwait(false);
        }
        else if (System.Console.IsInputRedirected)
        {
            answer = null; // not a terminal and not given to us: nobody can answer
        }
        else
        {
            answer = await Task.Run(System.Console.ReadLine, CancellationToken.None).WaitAsync(token).ConfigureAwait(false);
        }

        if (answer is null)
        {
            await Console.Error.WriteLineAsync("(no answer: no)").ConfigureAwait(false);
        }

        return answer?.Trim().ToLowerInvariant() is "y" or "yes";
    }

    private static string ReplayStepLine(ReplayStep step, int total)
    {
        var what = step.Kind switch
        {
            ReplayStepKind.Succeeded => "ok",
            ReplayStepKind.Failed => $"failed ({step.Reason})",
            ReplayStepKind.Skipped => $"skipped ({step.Reason})",
            ReplayStepKind.WouldRun => step.Reason is null ? "would run" : $"would run ({step.Reason})",
            _ => $"not run ({step.Reason})",
        };
        return $"[{step.Number.ToString(CultureInfo.InvariantCulture)}/{total.ToString(CultureInfo.InvariantCulture)}] {Printable(what)}: {Printable(step.Command)}";
    }

    private static string ReplayStepJson(ReplayStep step) => JsonLine.Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteNumber("number", step.Number);
        writer.WriteString("command", step.Command);
        writer.WriteString("directory", step.Directory);
        writer.WriteString("result", step.Kind switch
        {
            ReplayStepKind.Succeeded => "succeeded",
            ReplayStepKind.Failed => "failed",
            ReplayStepKind.Skipped => "skipped",
            ReplayStepKind.WouldRun => "would_run",
            _ => "not_run",
        });
        if (step.Reason is not null)
        {
            writer.WriteString("reason", step.Reason);
        }

        if (step.Outcome is Outcome.Exited exited)
        {
            writer.WriteNumber("exit_code", exited.Code);
        }

        if (step.Findings.Count > 0)
        {
            writer.WriteStartArray("dangers");
            foreach (var finding in step.Findings)
            {
                writer.WriteStartObject();
                writer.WriteString("rule", finding.RuleId);
                writer.WriteString("reason", finding.Reason);
                writer.WriteString("command", finding.Command);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    });

    private static int ReplayFrom(string? text)
    {
        if (text is null)
        {
            return 1;
        }

        if (!int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var from) || from < 1)
        {
            throw new UsageException($"--from: '{text}' is not a command number: write a whole number from 1, such as --from 3.");
        }

        return from;
    }

    private static ImmutableHashSet<int> ReplaySkips(string[] texts)
    {
        var numbers = ImmutableHashSet.CreateBuilder<int>();
        foreach (var text in texts)
        {
            foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
            {
                if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1)
                {
                    throw new UsageException($"--skip: '{text}' is not a list of command numbers: write numbers from 1 separated by commas, such as --skip 3,5.");
                }

                numbers.Add(number);
            }
        }

        return numbers.ToImmutable();
    }

    private static ReplayDirectory ReplayCwd(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "recorded" => ReplayDirectory.Recorded,
        "current" => ReplayDirectory.Current,
        _ => throw new UsageException($"--cwd: '{text}' is not a choice: write recorded or current."),
    };

    private static DangerPolicy ReplayDanger(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "skip" => DangerPolicy.Skip,
        "abort" => DangerPolicy.Abort,
        "ask" => DangerPolicy.Ask,
        "allow" => DangerPolicy.Allow,
        _ => throw new UsageException($"--danger: '{text}' is not a policy: write skip, abort, ask or allow."),
    };

    /// <summary>The preset (from --preset, else the configuration file's, else moderate) with the configuration's custom patterns.</summary>
    private static DangerRules ReplayRules(string? text, string? configFile)
    {
        DangerPreset? preset = text?.Trim().ToLowerInvariant() switch
        {
            null => null,
            "moderate" => DangerPreset.Moderate,
            "minimal" => DangerPreset.Minimal,
            "strict" => DangerPreset.Strict,
            _ => throw new UsageException($"--preset: '{text}' is not a preset: write minimal, moderate or strict."),
        };
        try
        {
            return DangerConfig.Load(configFile ?? DangerConfig.DefaultPath(), preset, required: configFile is not null);
        }
        catch (Exception e) when (e is FormatException or FileNotFoundException)
        {
            throw new UsageException(configFile is null ? $"rec replay: {e.Message} Fix it, or give another file with --danger-config." : $"--danger-config: {e.Message}");
        }
    }
}
