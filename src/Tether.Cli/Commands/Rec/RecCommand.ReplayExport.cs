using System.Collections.Immutable;
using System.CommandLine;
using System.Globalization;
using System.Text;
using Tether.Sessions;
using CliCommand = System.CommandLine.Command;

namespace Tether.Cli.Commands.Rec;

/// <summary><c>tether rec replay | export</c>: run a session again, safely, or turn it into a script or CI file.</summary>
internal sealed partial class RecCommand
{
    private StreamReader? _replayAnswers;

    partial void AddReplayAndExportVerbs(CliCommand rec)
    {
        rec.Subcommands.Add(BuildReplayVerb());
        rec.Subcommands.Add(BuildExportVerb());
    }

    private CliCommand BuildReplayVerb()
    {
        var name = new Argument<string>("NAME") { Description = "The session's name or id." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Show what would run, with danger findings; run nothing." };
        var step = new Option<bool>("--step") { Description = "Ask y/N before every command." };
        var from = new Option<string>("--from") { HelpName = "N", Description = "Start at command N (1-based); earlier ones are skipped." };
        var skip = new Option<string[]>("--skip") { HelpName = "N[,N…]", Description = "Command numbers to skip, such as 3,5 (repeatable)." };
        var skipPattern = new Option<string[]>("--skip-pattern") { HelpName = "GLOB", Description = "Skip commands whose whole line matches GLOB (* ? […]; repeatable)." };
        var cwd = new Option<string>("--cwd") { HelpName = "recorded|current", Description = "Run each command in its recorded directory or in the current one [default: recorded]." };
        var stopOnError = new Option<bool>("--stop-on-error") { Description = "Stop at the first command that fails." };
        var danger = new Option<string>("--danger") { HelpName = "skip|abort|ask|allow", Description = "What to do with dangerous commands [default: skip]." };
        var preset = new Option<string>("--preset") { HelpName = "minimal|moderate|strict", Description = "Which commands count as dangerous [default: moderate]." };
        var dangerConfig = new Option<string>("--danger-config") { HelpName = "FILE", Description = "Custom danger patterns (JSON; see docs/cli.md) [default: $TETHER_REC_CONFIG, else ~/.config/tether/rec.json when it exists]." };
        var json = new Option<bool>("--json") { Description = "Print each step, then a summary, as JSON lines (the commands' own output goes to stderr)." };
        var replay = new CliCommand("replay", "Run a recorded session again, command by command, skipping dangerous commands.")
        {
            name, dryRun, step, from, skip, skipPattern, cwd, stopOnError, danger, preset, dangerConfig, json,
        };
        replay.SetAction((parse, _) =>
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
            return ReplaySessionAsync(parse.GetValue(name)!, options, parse.GetValue(json));
        });
        Page(replay, "NAME [--dry-run] [--step] [--from N] [--skip N,N] [--skip-pattern GLOB]… [--cwd recorded|current] [--stop-on-error] [--danger skip|abort|ask|allow] [--preset minimal|moderate|strict] [--json]", """
            Each command line runs in /bin/bash -c, in the directory it was recorded in (or the current one with
            --cwd current), with its whole process tree contained: Ctrl+C stops the running command's tree and
            the replay. Each step is printed as it is done: its number, what happened and the command.

            Danger: commands the preset flags are skipped (skip), stop the whole replay before anything runs
            (abort), are asked about (ask) or run (allow). --step and --danger ask read y/N from the terminal;
            when stdin is not a terminal, a line of it is the answer, and no answer means no.

            Exit codes: 0 every command that ran succeeded (skips are fine); 1 a command failed, did not run
            after --stop-on-error, or --danger abort found a dangerous command; 2 a usage error; 130 interrupted.

            Examples:
              tether rec replay deploy --dry-run
              tether rec replay deploy --from 3 --skip 5,7 --skip-pattern 'git push*'
              tether rec replay deploy --step --cwd current
              tether rec replay deploy --danger abort --preset strict

            """);
        return replay;
    }

    private CliCommand BuildExportVerb()
    {
        var name = new Argument<string>("NAME") { Description = "The session's name or id." };
        var format = new Option<string>("--format", "-f") { HelpName = "FORMAT", Description = $"{string.Join(", ", ExportFormats.Choices)}.", Required = true };
        var output = new Option<string>("--output", "-o") { HelpName = "FILE", Description = "Write to FILE (owner-only) instead of stdout." };
        var parameterize = new Option<bool>("--parameterize") { Description = "Replace the recorded home, user and host with {{HOME}}, {{USER}}, {{HOST}}." };
        var parameters = new Option<string[]>("--param") { HelpName = "NAME=VALUE", Description = "A value for a {{NAME}} placeholder (repeatable)." };
        var export = new CliCommand("export", "Turn a session into a bash script, Makefile, Markdown, GitHub Actions, GitLab CI or Dockerfile.")
        {
            name, format, output, parameterize, parameters,
        };
        export.SetAction(parse =>
        {
            var formatText = parse.GetValue(format) ?? "";
            if (!ExportFormats.TryParse(formatText, out var chosen))
            {
                throw new UsageException($"--format: '{formatText}' is not an export format: write {string.Join(", ", ExportFormats.Choices)}.");
            }

            var values = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
            foreach (var text in parse.GetValue(parameters) ?? [])
            {
                var (key, value) = OptionValues.Assignment("--param", text);
                values[key] = value;
            }

            var options = new ExportOptions { Parameterize = parse.GetValue(parameterize), Parameters = values.ToImmutable() };
            return ExportSession(parse.GetValue(name)!, chosen, options, parse.GetValue(output));
        });
        Page(export, "NAME -f FORMAT [-o FILE] [--parameterize] [--param NAME=VALUE]…", """
            Writes to stdout, or with -o to FILE, created owner-only (a bash script also executable by its owner);
            an existing FILE is replaced, a symbolic link never. Placeholders left without a value are listed on
            stderr.

            Exit codes: 0 exported; 1 no such session, or it cannot be written; 2 a usage error.

            Examples:
              tether rec export deploy -f bash -o deploy.sh
              tether rec export deploy -f github-actions > .github/workflows/deploy.yml
              tether rec export deploy -f dockerfile --parameterize --param HOME=/root --param USER=root

            """);
        return export;
    }

    private async Task<int> ReplaySessionAsync(string name, ReplayOptions options, bool json)
    {
        Session session;
        try
        {
            session = SessionStore.Open().Load(name).Session;
        }
        catch (Exception e) when (IsReplayExportError(e))
        {
            return ReplayExportFail($"rec replay: {e.Message}");
        }

        var total = session.Commands.Length;
        options = options with
        {
            Confirm = (prompt, token) => AskReplayAsync(prompt, total, token),
            Stdout = json ? Console.Stderr : Console.Stdout,
            Stderr = Console.Stderr,
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
            return ReplayExportFail($"rec replay: {e.Message}");
        }

        int Count(ReplayStepKind kind) => report.Steps.Count(s => s.Kind == kind);
        if (json)
        {
            Console.Out.WriteLine(JsonLine.Write(writer =>
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
            }));
        }
        else
        {
            var summary = options.DryRun
                ? $"Dry run of '{TerminalText.Printable(session.Name)}': {Count(ReplayStepKind.WouldRun)} would run, {Count(ReplayStepKind.Skipped)} skipped."
                : $"Replayed '{TerminalText.Printable(session.Name)}': {Count(ReplayStepKind.Succeeded)} succeeded, {Count(ReplayStepKind.Failed)} failed, {Count(ReplayStepKind.Skipped)} skipped, {Count(ReplayStepKind.NotRun)} not run.";
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
            Console.WriteError($"rec replay: aborted before running anything: command {first.Number.ToString(CultureInfo.InvariantCulture)} is dangerous ({first.Findings[0].RuleId}: {first.Findings[0].Reason}); skip it with --skip {first.Number.ToString(CultureInfo.InvariantCulture)} or use --danger skip.");
            return ExitCodes.Failure;
        }

        if (!report.Succeeded)
        {
            Console.WriteError($"rec replay: {report.FailedCount.ToString(CultureInfo.InvariantCulture)} of {total.ToString(CultureInfo.InvariantCulture)} commands failed{(Count(ReplayStepKind.NotRun) > 0 ? $", {Count(ReplayStepKind.NotRun).ToString(CultureInfo.InvariantCulture)} not run" : "")}.");
            return ExitCodes.Failure;
        }

        return ExitCodes.Success;
    }

    /// <summary>Asks y/N on stderr; the answer is a line of the terminal, or of stdin when it is redirected (none: no).</summary>
    private async Task<bool> AskReplayAsync(ReplayPrompt prompt, int total, CancellationToken token)
    {
        var why = prompt.Findings.Count > 0 ? $" DANGEROUS: {string.Join("; ", prompt.Findings.Select(f => f.ToString()))}." : "";
        await Console.Error.WriteAsync($"[{prompt.Number.ToString(CultureInfo.InvariantCulture)}/{total.ToString(CultureInfo.InvariantCulture)}] run '{TerminalText.Printable(prompt.Command)}' in {TerminalText.Printable(prompt.Directory)}?{why} [y/N] ").ConfigureAwait(false);
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
        return $"[{step.Number.ToString(CultureInfo.InvariantCulture)}/{total.ToString(CultureInfo.InvariantCulture)}] {TerminalText.Printable(what)}: {TerminalText.Printable(step.Command)}";
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

    private int ExportSession(string name, ExportFormat format, ExportOptions options, string? output)
    {
        ExportResult result;
        try
        {
            var session = SessionStore.Open().Load(name).Session;
            result = SessionExporter.Export(session, format, options);
        }
        catch (Exception e) when (IsReplayExportError(e) || e is UnexportableSessionException)
        {
            return ReplayExportFail($"rec export: {e.Message}");
        }

        if (output is null)
        {
            Console.Out.Write(result.Text);
            Console.Out.Flush();
        }
        else
        {
            try
            {
                WriteExportFile(output, result.Text, format == ExportFormat.Bash);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return ReplayExportFail($"rec export: cannot write '{output}': {e.Message}");
            }
        }

        if (!result.Unfilled.IsEmpty)
        {
            Console.WriteError($"rec export: placeholders left unfilled: {string.Join(", ", result.Unfilled.Select(p => "{{" + p + "}}"))}; give them values with --param NAME=VALUE.");
        }

        if (!result.Unused.IsEmpty)
        {
            Console.WriteError($"rec export: --param given for names no placeholder has: {string.Join(", ", result.Unused)}.");
        }

        return ExitCodes.Success;
    }

    /// <summary>Writes <paramref name="text"/> to a fresh owner-only file beside <paramref name="path"/>, then renames it
    /// over; a symbolic link at <paramref name="path"/> is refused, not followed.</summary>
    private static void WriteExportFile(string path, string text, bool executable)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("Writing owner-only export files is implemented for Linux only.");
        }

        var full = Path.GetFullPath(path);
        var existing = new FileInfo(full);
        if (existing.LinkTarget is not null)
        {
            throw new IOException("it is a symbolic link; tether does not write through links: remove it or choose another file");
        }

        if (Directory.Exists(full))
        {
            throw new IOException("it is a directory");
        }

        var mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | (executable ? UnixFileMode.UserExecute : UnixFileMode.None);
        var temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                UnixCreateMode = mode,
            }))
            {
                var bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text);
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            File.SetUnixFileMode(temporary, mode); // the umask may have taken bits away
            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            try
            {
                File.Delete(temporary);
            }
            catch (IOException)
            {
                // Best effort.
            }

            throw;
        }
    }

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

    /// <summary>Errors of loading a session that are the user's to fix: one line, exit 1.</summary>
    private static bool IsReplayExportError(Exception e) =>
        e is SessionNotFoundException or SessionAmbiguousException or SessionFormatException or SessionNameException
            or IOException or UnauthorizedAccessException;

    private int ReplayExportFail(string message)
    {
        Console.WriteError(message);
        return ExitCodes.Failure;
    }
}
