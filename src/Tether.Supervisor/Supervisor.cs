using System.Collections.Concurrent;
using System.Threading.Channels;
using Tether.Supervisor.Journaling;
using Tether.Supervisor.Locking;
using Tether.Supervisor.Logs;
using Tether.Supervisor.Probes;
using Tether.Supervisor.Reaping;
using Tether.Supervisor.Running;
using Tether.Watch;

namespace Tether.Supervisor;

/// <summary>
/// A running supervisor: it feeds the <see cref="SupervisorEngine"/> what happens (processes started and ended, probe
/// verdicts, operator commands, reloads, the passing of time) and carries out what it decides — starting each
/// instance through Tether's contained runner, stopping and killing whole trees, running probes — while it keeps the
/// services' logs, journals every decision in <c>.tether/journal</c>, holds <c>.tether/supervisor.lock</c>, answers
/// the control API and, under systemd, notifies readiness. Start one with <see cref="StartAsync"/>; it runs until
/// <see cref="ShutdownAsync"/> (or disposal) has stopped every service, then <see cref="Completion"/> completes.
/// </summary>
/// <remarks>
/// <para>One loop owns the engine. Every input goes through one channel and is stamped, when the loop takes it, with
/// the supervisor's monotonic time (<see cref="SupervisorOptions.TimeProvider"/>, time since start). Between inputs the
/// loop sleeps until the engine's next deadline on a timer of that clock, or until the next input: there is no
/// polling tick. Requests are carried out on the loop itself (a start is a <c>posix_spawn</c> right there, so a restart
/// spawns without another hop) or on tasks that answer through the channel (waits, probes).</para>
/// <para>Nothing the services do can hold the loop up: their output goes through bounded queues to the log files and
/// followers, and a queue that is full drops lines and counts them.</para>
/// </remarks>
public sealed partial class Supervisor : ISupervisorControl, IAsyncDisposable
{
    /// <summary>How long <see cref="DisposeAsync"/> waits for a forced shutdown before it kills what is left itself.</summary>
    private static readonly TimeSpan DisposeWait = TimeSpan.FromSeconds(30);

    private readonly SupervisorOptions _options;
    private readonly TimeProvider _time;
    private readonly long _startTimestamp;
    private readonly DateTimeOffset _startedAt;
    private readonly ulong _seed;
    private readonly SupervisorEngine _engine = new();
    private readonly Channel<Envelope> _inputs = Channel.CreateUnbounded<Envelope>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<SupervisorDecision> _decisions = [];
    private readonly ConcurrentDictionary<long, InstanceRun> _runs = new();
    private readonly ConcurrentDictionary<string, ServiceLog> _logs = new(StringComparer.Ordinal);
    private readonly SupervisorLock _lock;
    private readonly SupervisorJournal _journal;
    private readonly OrphanReaper _reaper;
    private readonly ProbeRunner _probes;
    private readonly LineDispatcher? _lineDispatcher;
    private readonly SystemdNotifier? _notifier;
    private readonly ITimer _wakeUp;
    private readonly TaskCompletionSource<int> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _reloading = new(1, 1);
    private readonly Lock _closeGate = new();
    private readonly Lock _traceGate = new();
    private SupervisorTraceRecorder? _trace;
    private HeartbeatMonitor? _heartbeats;
    private ServiceSet _services;
    private IReadOnlyList<InstanceStatus> _status = [];
    private Task? _loop;
    private Task? _closing;
    private volatile bool _shuttingDown;
    private bool _stopped;

    private Supervisor(SupervisorOptions options, SupervisorLock directoryLock, SupervisorJournal journal, ulong seed, SupervisorTraceRecorder? trace)
    {
        _trace = trace;
        _options = options;
        _time = options.TimeProvider;
        _startTimestamp = _time.GetTimestamp();
        _startedAt = _time.GetUtcNow();
        _services = options.Services;
        _seed = seed;
        _lock = directoryLock;
        _journal = journal;
        _reaper = OrphanReaper.ForThisProcess();
        _probes = new ProbeRunner(options.Runner, _time, options.Services.ProjectDirectory, _reaper);
        _lineDispatcher = options.OnLine is { } onLine ? new LineDispatcher(onLine) : null;
        _notifier = options.Notify ? SystemdNotifier.FromEnvironment(() => _loop is { IsCompleted: false }, _time) : null;
        _wakeUp = _time.CreateTimer(static state => ((Supervisor)state!).Post(new SupervisorInput.Tick(default)), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// Completes once the supervisor stopped: every service's tree ended, logs and journal are written and the
    /// directory lock is released. Its value is 0 after a clean stop. It fails when the supervisor's loop failed (every
    /// tree is killed then too).
    /// </summary>
    public Task<int> Completion => _completion.Task;

    /// <summary>The services as last configured (the first set, or the last successful reload).</summary>
    public ServiceSet Services => Volatile.Read(ref _services);

    /// <summary>The seed of the engine's random source (given, or drawn and journaled), so a run's jitter can be replayed.</summary>
    public ulong Seed => _seed;

    /// <summary>The recording of the engine's inputs when <see cref="SupervisorOptions.TraceFile"/> is set; null otherwise or once closed.</summary>
    public SupervisorTraceRecorder? TraceRecorder => _trace;

    /// <summary>The engine's time: how long the supervisor has run, on its clock.</summary>
    private TimeSpan Now => _time.GetElapsedTime(_startTimestamp);

    /// <summary>
    /// Takes the project directory's lock, opens the journal and starts the services (in dependency order, as the engine
    /// decides). Returns once the supervisor runs; the services start in the background.
    /// </summary>
    /// <exception cref="SupervisorAlreadyRunningException">Another supervisor runs for this project directory.</exception>
    /// <exception cref="IOException">The state directory, its lock, its journal or the trace file cannot be created or opened.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A trace option is out of range.</exception>
    public static async Task<Supervisor> StartAsync(SupervisorOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Services);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.LogRingLines, 1, nameof(options.LogRingLines));
        cancellationToken.ThrowIfCancellationRequested();

        var stateDirectory = options.Services.StateDirectory;
        var directoryLock = SupervisorLock.Acquire(stateDirectory);
        SupervisorJournal journal;
        try
        {
            journal = await SupervisorJournal.OpenAsync(stateDirectory, options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is Tether.Journaling.JournalException or OperationCanceledException)
        {
            directoryLock.Dispose();
            if (ex is Tether.Journaling.JournalException)
            {
                throw new IOException($"Cannot open the supervisor's journal in {stateDirectory}: {ex.Message}", ex);
            }

            throw;
        }

        // The seed only spreads restart jitter; it needs no cryptographic strength, and the shared Random (seeded by
        // the OS) spares the supervisor loading OpenSSL (about 3.4 MB of resident memory) just to draw it.
        var seed = options.Seed ?? (ulong)Random.Shared.NextInt64();
        SupervisorTraceRecorder? trace = null;
        if (options.TraceFile is { } traceFile)
        {
            try
            {
                trace = SupervisorTraceRecorder.Create(traceFile, options.Services, seed, options.TraceOptions);
            }
            catch (Exception ex) when (ex is IOException or ArgumentOutOfRangeException)
            {
                // Nothing started yet: the journal and the lock are released before the caller hears why.
                await journal.DisposeAsync().ConfigureAwait(false);
                directoryLock.Dispose();
                throw;
            }
        }

        journal.RecordStarted(options.Services, seed);
        var supervisor = new Supervisor(options, directoryLock, journal, seed, trace);
        try
        {
            // The first input, on the caller's thread before the loop exists: when this returns, the status lists
            // every instance and the first services are spawned.
            supervisor.Handle(new SupervisorInput.Configure(supervisor.Now, options.Services, seed), handled: null);
        }
        catch
        {
            await supervisor.CloseAsync().ConfigureAwait(false);
            supervisor._wakeUp.Dispose();
            throw;
        }

        supervisor._loop = Task.Run(supervisor.RunAsync, CancellationToken.None);
        return supervisor;
    }

    /// <summary>
    /// Stops everything: a forced shutdown (SIGKILL to every tree) if none finished yet, waits for it (killing what is
    /// left itself should the loop not finish), and releases the directory. No process of any service outlives it.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (_loop is { IsCompleted: false } loop)
        {
            Shutdown(force: true);
            try
            {
                await loop.WaitAsync(DisposeWait, _time).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // The loop did not finish the shutdown; closing below kills every tree regardless.
            }
        }

        await CloseAsync().ConfigureAwait(false);
        _wakeUp.Dispose();
        _reloading.Dispose();
    }

    /// <summary>Releases everything the supervisor holds, once: kills any tree still running, then closes logs, journal, sockets and the lock.</summary>
    private Task CloseAsync()
    {
        lock (_closeGate)
        {
            return _closing ??= CloseCoreAsync();
        }
    }

    private async Task CloseCoreAsync()
    {
        _shuttingDown = true;
        _inputs.Writer.TryComplete();
        _wakeUp.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        foreach (var run in _runs.Values)
        {
            if (run.Process is { } process)
            {
                await process.DisposeAsync().ConfigureAwait(false);
            }
        }

        _runs.Clear();
        if (_heartbeats is { } heartbeats)
        {
            await heartbeats.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var log in _logs.Values)
        {
            await log.DisposeAsync().ConfigureAwait(false);
        }

        if (_lineDispatcher is { } dispatcher)
        {
            await dispatcher.DisposeAsync().ConfigureAwait(false);
        }

        if (_notifier is { } notifier)
        {
            await notifier.DisposeAsync().ConfigureAwait(false);
        }

        await _journal.DisposeAsync().ConfigureAwait(false);
        lock (_traceGate)
        {
            _trace?.Dispose();
            _trace = null;
        }

        _probes.Dispose();
        _reaper.Dispose();
        _lock.Dispose();
    }

    /// <summary>An input on its way to the loop, with whoever waits for the loop to have taken it.</summary>
    private readonly record struct Envelope(SupervisorInput Input, TaskCompletionSource? Handled);
}
