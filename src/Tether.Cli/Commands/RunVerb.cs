using System.CommandLine;
using System.CommandLine.Parsing;
using Tether.Cli.Streams;
using Tether.Cli.Telemetry;
using Tether.Testing;

namespace Tether.Cli.Commands;

/// <summary>
/// <c>tether run [options] -- PROGRAM [ARGS…]</c>: runs one program with its whole process tree contained, streams its
/// stdout and stderr live, and exits with its exit code (124 on timeout, 128+N when killed by signal N, 127 when not
/// found, 130 when interrupted). With <c>--cassette FILE</c> the run is recorded to a cassette or replayed from it
/// without spawning anything (<see cref="RunCassette"/>).
/// </summary>
internal sealed partial class RunVerb : Verb
{
    /// <summary>
    /// The output is streamed, not used: the library keeps only a small tail per stream, dropping older bytes, so a
    /// run that prints gigabytes costs no memory and never fails for its size.
    /// </summary>
    private static readonly OutputLimit CaptureLimit = new(4096, OverflowPolicy.KeepNewest);

    /// <summary>Tether's own stdout, descriptor 1, for a forwarded stdout; never closed by tether.</summary>
    private static readonly Microsoft.Win32.SafeHandles.SafeFileHandle OwnStdout = new(1, ownsHandle: false);

    private readonly Option<string> _timeout = new("--timeout")
    {
        HelpName = "DURATION",
        Description = "Stop the whole process tree when the run takes longer than this, such as 30s or 10m (stop signal, then SIGKILL after the grace). Exit code 124.",
    };

    private readonly Option<string> _idleTimeout = new("--idle-timeout")
    {
        HelpName = "DURATION",
        Description = "Stop the tree when the program writes nothing to stdout or stderr for this long, such as 2m. Exit code 124.",
    };

    private readonly Option<string> _grace = new("--grace")
    {
        HelpName = "DURATION",
        Description = "How long the tree may take to exit after the stop signal before it is SIGKILLed [default: 5s; 0s kills at once].",
    };

    private readonly Option<string> _signal = new("--signal")
    {
        HelpName = "SIGNAL",
        Description = "The stop signal sent first on timeout or interrupt: a name or number, such as TERM, INT, HUP or 15 [default: TERM].",
    };

    private readonly Option<string> _cwd = new("--cwd")
    {
        HelpName = "DIR",
        Description = "Run the program in this directory, which must exist. A relative program path (./build.sh) is resolved from this directory.",
    };

    private readonly Option<string[]> _env = new("--env")
    {
        HelpName = "NAME=VALUE",
        Description = "Set an environment variable for the program (repeatable). Applied on top of --env-clear and --env-allow.",
    };

    private readonly Option<bool> _envClear = new("--env-clear")
    {
        Description = "Give the program an empty environment, plus what --env sets. Without PATH, a program name is looked up in /usr/local/bin:/usr/bin:/bin.",
    };

    private readonly Option<string[]> _envAllow = new("--env-allow")
    {
        HelpName = "NAME",
        Description = "Pass only the named variables of tether's environment, plus what --env sets (repeatable).",
    };

    private readonly Option<string> _containment = new("--containment")
    {
        HelpName = "MODE",
        Description = "auto: a cgroup when this host delegates one, else a process group; cgroup: fail unless a cgroup is available; process-group [default: auto].",
    };

    private readonly Option<bool> _json;
    private readonly OtlpOption _otlp = new();

    private readonly Option<string> _journal = new("--journal")
    {
        HelpName = "DIR",
        Description = "Record the run in the journal in DIR (created if missing): job.submitted, job.started, job.command (program, arguments, exit code, duration; never output or environment) and how it ended. See 'tether journal --help'.",
    };

    private readonly Option<string> _job = new("--job")
    {
        HelpName = "ID",
        Description = "The job id of the run's journal records [default: run-<UTC time>-<pid>]. Needs --journal.",
    };

    private readonly Option<string> _cassette = new("--cassette")
    {
        HelpName = "FILE",
        Description = "Record the run to this cassette file, or replay it from there without running anything (see --mode). The program's stdin is then empty: tether's own stdin is not forwarded.",
    };

    private readonly Option<string> _mode = new("--mode")
    {
        HelpName = "MODE",
        Description = "How --cassette is used. once: record when FILE does not exist, otherwise replay; replay: only replay, never run; record: run for real and replace FILE; new-episodes: replay what FILE holds, run and add what it lacks [default: once]. Needs --cassette.",
    };

    private readonly Argument<string[]> _programAndArguments = new("PROGRAM")
    {
        HelpName = "PROGRAM [ARGS...]",
        Arity = ArgumentArity.ZeroOrMore,
        CaptureRemainingTokens = true,
        Description = "The program (a path, or a name looked up on PATH) and its arguments, passed verbatim without a shell. Write them after '--'; every word from the program on belongs to it, options included.",
    };

    /// <summary>EPERM: the kernel refused a credential, priority or limit the run asked for.</summary>
    private const int PermissionDenied = 1;

    private const string Usage = "[options] -- PROGRAM [ARGS...]";

    public RunVerb(VerbContext context)
        : base(context, "run", "Run a program with its whole process tree contained, stream its output, and exit with its exit code.", Usage, Notes)
    {
        _env.AllowMultipleArgumentsPerToken = false;
        _envAllow.AllowMultipleArgumentsPerToken = false;
        Add(_timeout);
        Add(_idleTimeout);
        Add(_grace);
        Add(_signal);
        Add(_cwd);
        Add(_env);
        Add(_envClear);
        Add(_envAllow);
        Add(_containment);
        AddProcessOptions();
        _json = AddJsonOption("After the run, print one JSON object describing it (outcome, exit code or signal, duration, CPU time, peak memory, containment, pid) as the last line of stdout.");
        Add(_journal);
        Add(_job);
        Add(_cassette);
        Add(_mode);
        Add(_programAndArguments);
        Add(_otlp.Option);
        SetAction((parseResult, _) => _otlp.ExportWhileAsync(parseResult, "run", () => ExecuteAsync(Read(parseResult))));
    }

    /// <summary>Reads the command line into a command to run; throws <see cref="UsageException"/> for anything wrong.</summary>
    private RunRequest Read(ParseResult parse)
    {
        var words = parse.GetValue(_programAndArguments) ?? [];
        if (words.Length == 0)
        {
            throw new UsageException("run: no program given: write it after '--', as in 'tether run --timeout 30s -- make test'.");
        }

        if (words[0].StartsWith('-') && !FollowsDoubleDash(parse, words.Length))
        {
            // An unknown option ends up here as the program, because the program takes every word from its first on.
            throw new UsageException($"run: '{words[0]}' is not an option of tether run: see 'tether run --help', and write the program after '--'.");
        }

        if (words[0].Length == 0)
        {
            throw new UsageException("run: the program name is empty: write a program name or path after '--'.");
        }

        var command = new Command(words[0]).WithArguments(words[1..]);

        if (OptionValues.Wait("--timeout", parse.GetValue(_timeout), allowZero: false, "give a shorter one, or leave the option out for no timeout") is { } timeout)
        {
            command = command.WithTimeout(timeout);
        }

        if (OptionValues.Wait("--idle-timeout", parse.GetValue(_idleTimeout), allowZero: false, "give a shorter one, or leave the option out for no idle timeout") is { } idle)
        {
            command = command.WithIdleTimeout(idle);
        }

        if (OptionValues.Wait("--grace", parse.GetValue(_grace), allowZero: true, "give a shorter one, such as 30s") is { } grace)
        {
            command = command.WithGrace(grace);
        }

        if (OptionValues.Signal("--signal", parse.GetValue(_signal)) is { } signal)
        {
            command = command.WithStopSignal(signal);
        }

        command = command.WithContainment(OptionValues.Containment("--containment", parse.GetValue(_containment)));

        var allowed = (parse.GetValue(_envAllow) ?? []).Select(name => OptionValues.VariableName("--env-allow", name)).ToArray();
        if (allowed.Length > 0)
        {
            command = command.WithEnvironmentAllowList(allowed);
        }
        else if (parse.GetValue(_envClear))
        {
            command = command.WithClearedEnvironment();
        }

        foreach (var text in parse.GetValue(_env) ?? [])
        {
            var (name, value) = OptionValues.Assignment("--env", text);
            command = command.WithEnvironmentVariable(name, value);
        }

        if (parse.GetValue(_cwd) is { } cwd)
        {
            if (cwd.Length == 0)
            {
                throw new UsageException("--cwd: the directory is empty: give a directory path, or leave the option out.");
            }

            command = command.WithWorkingDirectory(cwd);
        }

        command = ReadStartOptions(parse, command);
        if (ReadRetry(parse) is { } retry)
        {
            command = command.WithRetry(retry);
        }

        var readiness = ReadReadiness(parse);

        var journal = parse.GetValue(_journal);
        var job = parse.GetValue(_job);
        if (journal is { Length: 0 })
        {
            throw new UsageException("--journal: the directory is empty: give a directory path, or leave the option out.");
        }

        if (job is not null && journal is null)
        {
            throw new UsageException("--job: it names the run's journal records, so it needs --journal DIR as well.");
        }

        if (job is not null && (job.Length == 0 || job.Length > Tether.Journaling.JournalEntry.MaxJobLength || job.Any(char.IsControl)))
        {
            throw new UsageException($"--job: '{job}' is not a job id: give 1 to {Tether.Journaling.JournalEntry.MaxJobLength} characters without control characters, such as build-42.");
        }

        var cassette = parse.GetValue(_cassette);
        var mode = parse.GetValue(_mode);
        if (cassette is { Length: 0 })
        {
            throw new UsageException("--cassette: the file is empty: give a cassette file path, or leave the option out.");
        }

        if (cassette is not null && readiness is not null)
        {
            throw new UsageException("--cassette: a cassette may replay the run without running anything, so there would be nothing for --wait-* to wait for: leave out one or the other.");
        }

        if (mode is not null && cassette is null)
        {
            throw new UsageException("--mode: it says how --cassette is used, so it needs --cassette FILE as well.");
        }

        return new RunRequest(command, parse.GetValue(_json), journal, job, cassette, RunCassette.ParseMode("--mode", mode), readiness);
    }

    /// <summary>
    /// True when the program's words are exactly the words after the first <c>--</c>; otherwise its first word was
    /// typed where an option belongs.
    /// </summary>
    private static bool FollowsDoubleDash(ParseResult parse, int programWordCount)
    {
        var tokens = parse.Tokens;
        var index = tokens.Count - programWordCount - 1;
        return index >= 0 && tokens[index].Type == TokenType.DoubleDash;
    }

    private async Task<int> ExecuteAsync(RunRequest request)
    {
        using var stdout = new OutputTee(Console.Stdout);
        using var stderr = new OutputTee(Console.Stderr);
        var recorded = request.Cassette is not null;

        // When nothing needs to see stdout's bytes (no recording, no JSON line to start on a fresh line, no terminal),
        // the program writes to tether's own stdout directly, at the speed of the destination; a reader that goes away
        // then sends it SIGPIPE without tether's help. An idle timeout needs to know only that output happened: the
        // program then writes into a pipe that the library splices on to tether's stdout, at pipe speed, and closes
        // when the reader goes away, so the program gets SIGPIPE all the same.
        var untouched = Console.StdoutInheritable && !request.Json && !recorded && request.Command.PseudoTerminal is null;
        var command = !untouched ? request.Command.WithStdoutTee(stdout)
            : request.Command.IdleTimeout is null ? request.Command.WithInheritedStdout()
            : request.Command.WithStdoutForwardedTo(OwnStdout);
        command = command
            .WithStderrTee(stderr)

            // A recording keeps the output it stores; a plain run only streams it.
            .WithOutputLimit(recorded ? RunCassette.CaptureLimit : CaptureLimit)
            .WithCancellation(Interruption.StopRequested)

            // A cassette cannot match a stream on replay, so under a cassette the program gets no stdin at all. A pipe
            // or file is handed to the program, which reads it as it would without tether (taking no more than it
            // reads); a terminal's input is what tether writes into it.
            .WithStdin(recorded || Console.RedirectedStdin is not { } input ? StandardInput.Empty
                : Console.StdinInheritable && request.Command.PseudoTerminal is null ? StandardInput.Inherited
                : StandardInput.FromStream(new ForwardedInput(input)));
        var report = new RunReporter(Console, Json, command, stdout);

        RunCassette? cassette = null;
        if (request.Cassette is { } path)
        {
            // Before the journal and before anything runs: a cassette that cannot be used must not cost a run.
            if ((CassettePathCheck.DanglingLink(path) ?? CassettePathCheck.ParentIsAFile(path)) is { } refused)
            {
                return report.NotStarted(ExitCodes.Failure, refused);
            }

            (cassette, var error) = RunCassette.Open(path, request.CassetteMode, Context.Runner);
            if (cassette is null)
            {
                return report.NotStarted(ExitCodes.Failure, error!);
            }

            if (cassette.Runner.Records && CassettePathCheck.Unrecordable(path) is { } unrecordable)
            {
                await cassette.DisposeAsync().ConfigureAwait(false);
                return report.NotStarted(ExitCodes.Failure, unrecordable);
            }
        }

        try
        {
            return await ExecuteJournaledAsync(request, command, report, stdout, stderr, cassette).ConfigureAwait(false);
        }
        finally
        {
            if (cassette is not null)
            {
                await cassette.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task<int> ExecuteJournaledAsync(RunRequest request, Command command, RunReporter report, OutputTee stdout, OutputTee stderr, RunCassette? cassette)
    {
        RunJournal? journal = null;
        if (request.JournalDirectory is { } directory)
        {
            // Before anything runs: a run that was asked to be journaled and cannot be must not happen unrecorded.
            (journal, var error) = await RunJournal.OpenAsync(directory, request.Job ?? RunJournal.NewJobId(), command, Console).ConfigureAwait(false);
            if (journal is null)
            {
                return report.NotStarted(ExitCodes.Failure, error!);
            }
        }

        try
        {
            return await ExecuteAsync(command, request.Readiness, report, stdout, stderr, journal, cassette).ConfigureAwait(false);
        }
        finally
        {
            if (journal is not null)
            {
                await journal.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task<int> ExecuteAsync(Command command, ReadinessWaits? readiness, RunReporter report, OutputTee stdout, OutputTee stderr, RunJournal? journal, RunCassette? cassette)
    {
        var started = TimeProvider.System.GetTimestamp();
        TimeSpan Elapsed() => TimeProvider.System.GetElapsedTime(started);

        async Task<int> NotStartedAsync(int exitCode, string message)
        {
            if (journal is not null)
            {
                await journal.FailedAsync(message, exitCode, null).ConfigureAwait(false);
            }

            return report.NotStarted(exitCode, message);
        }

        async Task<int> InterruptedAsync(int? pid, ContainmentMechanism? mechanism)
        {
            if (journal is not null)
            {
                await journal.InterruptedAsync(pid is null ? null : Elapsed()).ConfigureAwait(false);
            }

            return report.Interrupted(pid, mechanism);
        }

        // A pure replay runs nothing, so it needs no directory: a cassette recorded elsewhere replays anywhere.
        if (command.WorkingDirectory is { } cwd && cassette is not { ReplaysOnly: true } && !Directory.Exists(cwd))
        {
            var problem = File.Exists(cwd) ? "is a file, not a directory" : "does not exist";
            return await NotStartedAsync(ExitCodes.Failure, $"--cwd: '{cwd}' {problem}: create it or give an existing directory.").ConfigureAwait(false);
        }

        if (Interruption.StopRequested.IsCancellationRequested)
        {
            Console.WriteError("interrupted before the program started; it was not run.");
            return await InterruptedAsync(null, null).ConfigureAwait(false);
        }

        if (journal is not null)
        {
            await journal.StartedAsync().ConfigureAwait(false);
        }

        // Each pass is one run of the program; only --retry makes a second one.
        for (var run = 1; ; run++)
        {
            RunningProcess process;
            try
            {
                // Tether's stdin can be read once: it reaches the first run, and a run again reads end-of-file.
                var attempt = run == 1 ? command : command.WithStdin(StandardInput.Empty);
                process = await (cassette?.Runner ?? Context.Runner).StartAsync(attempt).ConfigureAwait(false);
            }
            catch (CassetteMissException ex)
            {
                return await NotStartedAsync(ExitCodes.Failure, $"--cassette: the cassette '{ex.CassettePath}' has no recording of {ex.Invocation}: add it with --mode new-episodes, re-record the file with --mode record, or fix the command line. Nothing was run.").ConfigureAwait(false);
            }
            catch (ProgramNotFoundException ex)
            {
                return await NotStartedAsync(ExitCodes.NotFound, ex.Message).ConfigureAwait(false);
            }
            catch (SpawnFailedException ex) when (ex.Errno == PermissionDenied)
            {
                // The program is fine; tether was not allowed to start it as asked (--user, --nice, --ulimit...).
                return await NotStartedAsync(ExitCodes.Failure, ex.Message).ConfigureAwait(false);
            }
            catch (SpawnFailedException ex)
            {
                return await NotStartedAsync(ExitCodes.CannotExecute, ex.Message).ConfigureAwait(false);
            }
            catch (UnsupportedException ex) when (command.Containment == ContainmentMode.Cgroup)
            {
                var reason = Containment.Probe().CgroupUnavailableReason ?? ex.Reason;
                return await NotStartedAsync(ExitCodes.Failure, $"--containment cgroup: this host gives tether no cgroup ({reason}): use --containment auto or process-group.").ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (Interruption.StopRequested.IsCancellationRequested)
            {
                Console.WriteError("interrupted before the program started; it was not run.");
                return await InterruptedAsync(null, null).ConfigureAwait(false);
            }
            catch (TetherException ex)
            {
                return await NotStartedAsync(ExitCodes.Failure, ex.Message).ConfigureAwait(false);
            }

            await using (process.ConfigureAwait(false))
            {
                var stopping = command.Grace > TimeSpan.Zero
                    ? $"interrupted: sent {command.StopSignal} to the process tree; what is left in {Durations.Format(command.Grace)} gets SIGKILL; interrupt again to kill it now."
                    : "interrupted: killing the process tree.";
                using var onStop = Interruption.StopRequested.Register(() => Console.WriteError(stopping));
                using var onKill = Interruption.KillRequested.Register(() => _ = process.SignalAsync(Signal.Kill));

                // Without tether, a program writing to a pipe nobody reads gets SIGPIPE; it writes to us instead, so we pass it on.
                using var onStdoutGone = stdout.Broken.Register(() => _ = process.SignalAsync(Signal.Pipe));
                using var onStderrGone = stderr.Broken.Register(() => _ = process.SignalAsync(Signal.Pipe));
                using var onResize = ForwardResizes(command, process);

                if (readiness is not null && await NotReadyAsync(command, process, readiness).ConfigureAwait(false) is { } notReady)
                {
                    if (journal is not null)
                    {
                        await journal.FailedAsync(notReady, ExitCodes.Failure, Elapsed()).ConfigureAwait(false);
                    }

                    return report.Failed(process.Pid, process.Mechanism, notReady);
                }

                ProcessResult<byte[]> result;
                try
                {
                    result = await process.WaitBytesAsync().ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (Interruption.StopRequested.IsCancellationRequested)
                {
                    return await InterruptedAsync(process.Pid, process.Mechanism).ConfigureAwait(false);
                }
                catch (TetherException ex)
                {
                    if (journal is not null)
                    {
                        await journal.FailedAsync(ex.Message, ExitCodes.Failure, Elapsed()).ConfigureAwait(false);
                    }

                    return report.Failed(process.Pid, process.Mechanism, ex.Message);
                }

                if (command.Retry is { } retry && run < retry.MaxAttempts && RunsAgain(retry, result.Outcome))
                {
                    var pause = PauseBefore(retry, run + 1);
                    Console.WriteError($"run {run} of {retry.MaxAttempts} {result.Outcome}; running it again in {Durations.Format(pause)}.");
                    try
                    {
                        await Task.Delay(pause, Interruption.StopRequested).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return await InterruptedAsync(process.Pid, process.Mechanism).ConfigureAwait(false);
                    }

                    continue;
                }

                ReportOutOfMemory(command, result);
                if (journal is not null)
                {
                    await journal.FinishedAsync(result).ConfigureAwait(false);
                }

                var unsaved = cassette is null ? null : await cassette.SaveAsync(result).ConfigureAwait(false);
                return report.Finished(result, unsaved);
            }
        }
    }

    private sealed record RunRequest(Command Command, bool Json, string? JournalDirectory, string? Job, string? Cassette, CassetteMode CassetteMode, ReadinessWaits? Readiness);
}
