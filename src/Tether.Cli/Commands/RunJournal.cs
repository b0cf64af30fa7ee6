using System.Globalization;
using System.Text.Json.Nodes;
using Tether.Journaling;

namespace Tether.Cli.Commands;

/// <summary>
/// Records one <c>tether run</c> in a journal (<c>--journal DIR</c>) with <see cref="JobJournal"/>:
/// <c>job.submitted</c> and <c>job.started</c> before the program is spawned, then <c>job.command</c> (built by
/// <see cref="CommandRecord"/>: program, arguments with secrets masked by <see cref="RedactionPolicy.Default"/>, working
/// directory, exit code or signal, duration; never output or environment) and one end record:
/// <c>job.completed</c>, <c>job.failed</c>, <c>job.timed_out</c> or <c>job.cancelled</c>.
/// </summary>
/// <remarks>
/// Only opening the journal can stop a run (<see cref="OpenAsync"/>). Once the program may be running, a failed
/// append prints one line on stderr and journaling stops, but the run goes on and tether still exits with the
/// program's code: the journal is a record of the run, not a reason to change its outcome.
/// </remarks>
internal sealed class RunJournal : IAsyncDisposable
{
    private readonly Journal _journal;
    private readonly JobJournal _jobs;
    private readonly CliConsole _console;
    private readonly Command _command;
    private bool _broken;

    private RunJournal(Journal journal, CliConsole console, string job, Command command)
    {
        _journal = journal;
        _jobs = new JobJournal(journal);
        _console = console;
        Job = job;
        _command = command;
    }

    /// <summary>The job id the records carry.</summary>
    public string Job { get; }

    /// <summary>A job id for a run without <c>--job</c>: <c>run-&lt;UTC time&gt;-&lt;pid&gt;</c>.</summary>
    public static string NewJobId() => string.Create(
        CultureInfo.InvariantCulture,
        $"run-{TimeProvider.System.GetUtcNow().UtcDateTime:yyyyMMdd'T'HHmmss.fff'Z'}-{Environment.ProcessId}");

    /// <summary>Opens (creating if needed) the journal in <paramref name="directory"/> and records the submission; or,
    /// when that fails, returns the one-line error and then nothing may run.</summary>
    public static async Task<(RunJournal? Journal, string? Error)> OpenAsync(string directory, string job, Command command, CliConsole console)
    {
        Journal journal;
        try
        {
            journal = await Journal.OpenAsync(directory).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is JournalException or IOException or UnauthorizedAccessException)
        {
            return (null, $"--journal: cannot open a journal at '{directory}': {Cause(ex)} Give a writable directory; nothing was run.");
        }

        var run = new RunJournal(journal, console, job, command);
        try
        {
            await run._jobs.SubmittedAsync(job, CommandRecord.Submitted(command)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is JournalException or IOException)
        {
            await journal.DisposeAsync().ConfigureAwait(false);
            return (null, $"--journal: cannot write to the journal at '{directory}': {Cause(ex)} Nothing was run.");
        }

        return (run, null);
    }

    /// <summary>Records <c>job.started</c>, just before the spawn.</summary>
    public Task StartedAsync() => RecordAsync("job.started", () => _jobs.StartedAsync(Job));

    /// <summary>The program ran to an end (or a timeout).</summary>
    public async Task FinishedAsync(ProcessResult<byte[]> result)
    {
        var capture = new CommandRun { Duration = result.Duration };
        switch (result.Outcome)
        {
            case Outcome.Exited { Code: 0 }:
                await CommandAsync(capture with { ExitCode = 0 }).ConfigureAwait(false);
                await RecordAsync("job.completed", () => _jobs.CompletedAsync(Job, 0)).ConfigureAwait(false);
                break;
            case Outcome.Exited exited:
                await CommandAsync(capture with { ExitCode = exited.Code }).ConfigureAwait(false);
                await RecordAsync("job.failed", () => _jobs.FailedAsync(Job, string.Create(CultureInfo.InvariantCulture, $"exited with code {exited.Code}"), exited.Code)).ConfigureAwait(false);
                break;
            case Outcome.Signalled signalled:
                await CommandAsync(capture with { Signal = signalled.Signal?.Number }).ConfigureAwait(false);
                await RecordAsync("job.failed", () => _jobs.FailedAsync(Job, signalled.ToString(), null, new JsonObject { ["signal"] = signalled.Signal?.Number })).ConfigureAwait(false);
                break;
            case Outcome.TimedOut timedOut:
                var idle = timedOut.Kind == TimeoutKind.Idle;
                var limit = (idle ? _command.IdleTimeout : _command.Timeout) ?? result.Duration;
                await CommandAsync(capture).ConfigureAwait(false);
                await RecordAsync("job.timed_out", () => _jobs.TimedOutAsync(Job, limit, new JsonObject { ["kind"] = idle ? "idle" : "overall" })).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>The program could not be started, or could not be followed to its end.</summary>
    public async Task FailedAsync(string message, int tetherExitCode, TimeSpan? duration)
    {
        await CommandAsync(new CommandRun { Duration = duration }).ConfigureAwait(false);
        await RecordAsync("job.failed", () => _jobs.FailedAsync(Job, message, null, new JsonObject { ["tether_exit_code"] = tetherExitCode })).ConfigureAwait(false);
    }

    /// <summary>Tether was interrupted (Ctrl+C, SIGTERM, SIGHUP) and stopped the tree, or never started it.</summary>
    public async Task InterruptedAsync(TimeSpan? duration)
    {
        await CommandAsync(new CommandRun { Duration = duration }).ConfigureAwait(false);
        await RecordAsync("job.cancelled", () => _jobs.CancelledAsync(Job, "interrupted")).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _journal.DisposeAsync();

    private Task CommandAsync(CommandRun run)
    {
        var record = CommandRecord.For(_command, run);
        return RecordAsync(record.Type, () => _journal.AppendAsync(new JournalEntry(record.Type, Job, record.Data)));
    }

    /// <summary>Appends one record; after the first failure, says so once on stderr and appends nothing more.</summary>
    private async Task RecordAsync(string what, Func<Task<ulong>> append)
    {
        if (_broken)
        {
            return;
        }

        try
        {
            await append().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is JournalException or IOException or ObjectDisposedException)
        {
            _broken = true;
            _console.WriteError($"--journal: could not record {what} for job {Job} in '{_journal.Directory}': {Cause(ex)} The run goes on; later records are skipped.");
        }
    }

    /// <summary>The journal's own message (it names the real cause), or the cause of a file-system failure in a user's
    /// words — .NET's message for those names the wrong one ("Could not find file" for /proc).</summary>
    private static string Cause(Exception exception) => exception switch
    {
        JournalException => exception.Message,
        ObjectDisposedException => "the journal was already closed.",
        _ => IoFailure.Cause(exception) + ".",
    };
}
