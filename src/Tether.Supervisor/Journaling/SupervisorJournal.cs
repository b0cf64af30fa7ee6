using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Tether.Journaling;

namespace Tether.Supervisor.Journaling;

/// <summary>
/// The supervisor's record of what happened and why, in <c>.tether/journal</c> (a Tether journal), so that
/// <c>tether journal show .tether/journal</c> explains every start, exit, restart and give-up. Each record's job is
/// the instance (<c>web#0</c>); its data carries the engine's time (<c>at_ms</c>) and the engine's own reason text.
/// </summary>
/// <remarks>
/// Appends never hold up the supervisor's loop: records go through a bounded queue to a task that appends them
/// (buffered durability: written at once, synced within 100 ms). A full queue or a failed append drops the record
/// and counts it (<see cref="Dropped"/>, <see cref="Failed"/>). No record carries an environment value; command lines
/// and free text pass through the one <see cref="RedactionPolicy"/>.
/// </remarks>
internal sealed class SupervisorJournal : IAsyncDisposable
{
    /// <summary>The journal's directory name in the state directory.</summary>
    public const string DirectoryName = "journal";

    /// <summary>Records that may wait for the journal.</summary>
    internal const int Capacity = 4096;

    private readonly Journal _journal;
    private readonly Channel<JournalEntry> _entries = Channel.CreateBounded<JournalEntry>(new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly Task _writing;
    private long _dropped;
    private long _failed;

    private SupervisorJournal(Journal journal)
    {
        _journal = journal;
        _writing = Task.Run(WriteAsync);
    }

    /// <summary>The journal's directory.</summary>
    public string Directory => _journal.Directory;

    /// <summary>Records dropped because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Records the journal refused (a full disk, an I/O error).</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Opens (or creates) <c><paramref name="stateDirectory"/>/journal</c>.</summary>
    public static async Task<SupervisorJournal> OpenAsync(string stateDirectory, TimeProvider time, CancellationToken cancellationToken)
    {
        var options = new JournalOptions { Durability = Durability.Buffered, TimeProvider = time };
        var journal = await Journal.OpenAsync(Path.Combine(stateDirectory, DirectoryName), options, cancellationToken).ConfigureAwait(false);
        return new SupervisorJournal(journal);
    }

    /// <summary>Records a decision of the engine: every fact, and the start, stop and kill requests (not probe runs, which are routine).</summary>
    public void Record(SupervisorDecision decision)
    {
        var entry = decision switch
        {
            SupervisorDecision.StartInstance start => Entry("service.start", start.Instance, start.At, new JsonObject
            {
                ["run"] = start.RunId,
                ["command"] = CommandLine(start.Service.Command.ToArguments()),
                ["cwd"] = start.Service.WorkingDirectory,
            }),
            SupervisorDecision.StopInstance stop => Entry("service.stop", stop.Instance, stop.At, new JsonObject
            {
                ["run"] = stop.RunId,
                ["signal"] = stop.Signal.ToString(),
                ["grace_ms"] = (long)stop.Grace.TotalMilliseconds,
                ["cause"] = Words(stop.Cause.ToString()),
            }),
            SupervisorDecision.KillInstance kill => Entry("service.kill", kill.Instance, kill.At, new JsonObject { ["run"] = kill.RunId }),
            SupervisorDecision.StateChanged changed => Entry("service.state", changed.Instance, changed.At, new JsonObject
            {
                ["from"] = Words(changed.From.ToString()),
                ["to"] = Words(changed.To.ToString()),
                ["reason"] = Redact(changed.Reason),
            }),
            SupervisorDecision.RestartScheduled restart => Entry("service.restart_scheduled", restart.Instance, restart.At, new JsonObject
            {
                ["delay_ms"] = (long)restart.Delay.TotalMilliseconds,
                ["restart"] = restart.Restart,
                ["recent_restarts"] = restart.RecentRestarts,
                ["reason"] = Redact(restart.Reason),
            }),
            SupervisorDecision.GaveUp gaveUp => Entry("service.gave_up", gaveUp.Instance, gaveUp.At, new JsonObject
            {
                ["reason"] = Redact(gaveUp.Reason),
                ["retry_at_ms"] = gaveUp.RetryAt is { } retry ? (long)retry.TotalMilliseconds : null,
            }),
            SupervisorDecision.HealthChanged health => Entry("service.health", health.Instance, health.At, new JsonObject
            {
                ["probe"] = health.Role == ProbeRole.Readiness ? "ready" : "live",
                ["health"] = Words(health.Health.ToString()),
                ["detail"] = Redact(health.Detail),
            }),
            SupervisorDecision.InstanceRemoved removed => Entry("service.removed", removed.Instance, removed.At, []),
            SupervisorDecision.AllReady ready => Entry("supervisor.all_ready", null, ready.At, []),
            SupervisorDecision.ShutdownCompleted done => Entry("supervisor.stopped", null, done.At, []),
            _ => null,
        };

        if (entry is not null)
        {
            Add(entry);
        }
    }

    /// <summary>Records what the edges reported about a process: it started (with its pid), could not start, or ended (and how).</summary>
    public void Record(SupervisorInput input)
    {
        var entry = input switch
        {
            SupervisorInput.Started started => Entry("service.started", started.Instance, started.At, new JsonObject
            {
                ["run"] = started.RunId,
                ["pid"] = started.Pid,
            }),
            SupervisorInput.StartFailed failed => Entry("service.start_failed", failed.Instance, failed.At, new JsonObject
            {
                ["run"] = failed.RunId,
                ["reason"] = Redact(failed.Reason),
            }),
            SupervisorInput.Exited exited => Entry("service.exited", exited.Instance, exited.At, new JsonObject
            {
                ["run"] = exited.RunId,
                ["exit"] = exited.Exit.ToString(),
                ["code"] = exited.Exit.ExitCode,
                ["signal"] = exited.Exit.Signal?.ToString(),
                ["oom"] = exited.Exit.OutOfMemory,
            }),
            SupervisorInput.Shutdown shutdown => Entry("supervisor.shutdown", null, shutdown.At, new JsonObject { ["force"] = shutdown.Force }),
            SupervisorInput.Operator command => Entry("supervisor.command", null, command.At, new JsonObject
            {
                ["action"] = Words(command.Action.ToString()),
                ["service"] = command.Service,
                ["replicas"] = command.Action == OperatorAction.Scale ? command.Replicas : null,
            }),
            _ => null,
        };

        if (entry is not null)
        {
            Add(entry);
        }
    }

    /// <summary>Records that the supervisor started: its pid, the seed of its random source and where its services came from.</summary>
    public void RecordStarted(ServiceSet services, ulong seed) => Add(Entry("supervisor.started", null, TimeSpan.Zero, new JsonObject
    {
        ["pid"] = Environment.ProcessId,
        ["seed"] = seed.ToString(CultureInfo.InvariantCulture),
        ["project"] = services.ProjectDirectory,
        ["file"] = services.SourcePath,
        ["services"] = services.Services.Count,
    }));

    /// <summary>Records what a reload changed.</summary>
    public void RecordReload(TimeSpan at, ReloadReport report) => Add(Entry("supervisor.reload", null, at, new JsonObject
    {
        ["added"] = Names(report.Added),
        ["removed"] = Names(report.Removed),
        ["restarted"] = Names(report.Restarted),
        ["scaled"] = Names(report.Scaled),
    }));

    /// <summary>Records that lines of <paramref name="service"/> never reached its log file (the running total), and why.</summary>
    public void RecordLogDrops(string service, long total, string why) => Add(new JournalEntry("service.log_dropped", service, new JsonObject
    {
        ["lines"] = total,
        ["reason"] = Redact(why),
    }));

    /// <summary>Appends what is queued, then closes the journal (syncing it).</summary>
    public async ValueTask DisposeAsync()
    {
        _entries.Writer.TryComplete();
        await _writing.ConfigureAwait(false);
        try
        {
            await _journal.FlushAsync().ConfigureAwait(false);
        }
        catch (JournalException)
        {
            Interlocked.Increment(ref _failed);
        }

        await _journal.DisposeAsync().ConfigureAwait(false);
    }

    private static JournalEntry Entry(string type, InstanceId? instance, TimeSpan at, JsonObject data)
    {
        data["at_ms"] = (long)at.TotalMilliseconds;
        return new JournalEntry(type, instance?.ToString(), data);
    }

    private static string CommandLine(IReadOnlyList<string> arguments)
    {
        var redactor = RedactionPolicy.Default.For(arguments[0], [.. arguments.Skip(1)]);
        return string.Join(' ', redactor.Argv);
    }

    private static string Redact(string text) => RedactionPolicy.Default.Redact(text);

    /// <summary><c>LivenessFailed</c> → <c>liveness_failed</c>: enum names as the journal's snake_case words.</summary>
    internal static string Words(string name)
    {
        var words = new System.Text.StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                words.Append('_');
            }

            words.Append(char.ToLowerInvariant(name[i]));
        }

        return words.ToString();
    }

    private static JsonArray Names(IReadOnlyList<string> names)
    {
        var array = new JsonArray();
        foreach (var name in names)
        {
            array.Add((JsonNode?)JsonValue.Create(name));
        }

        return array;
    }

    private void Add(JournalEntry entry)
    {
        if (!_entries.Writer.TryWrite(entry))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    private async Task WriteAsync()
    {
        await foreach (var entry in _entries.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                await _journal.AppendAsync(entry).ConfigureAwait(false);
            }
            catch (JournalException)
            {
                Interlocked.Increment(ref _failed);
            }
        }
    }
}
