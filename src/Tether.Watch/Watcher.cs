using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;

namespace Tether.Watch;

/// <summary>
/// The watcher at work: listeners at the edge receive beats and gather their senders' facts, one loop feeds the
/// deterministic <see cref="WatchEngine"/> with those datagrams, clock ticks, freshness answers and recovery exits, and
/// carries out what it decides — re-checking a pid's start time, running and reaping recovery commands — while every
/// decision goes to the audit log, the event export and the caller. The engine is only ever called from that loop.
/// </summary>
/// <remarks>
/// The loop has a thread of its own, asleep until a listener's receive thread or the tick timer wakes it
/// (<see cref="LoopWakeup"/>); it reads the listeners' queues itself. A beat therefore costs one hand-off between two
/// threads and no thread-pool work: a watcher with dozens of agents beating every second stays well under a percent of
/// a core.
/// <para/>Dispose (or <see cref="StopAsync"/>) shuts down gracefully: listeners stop, running recoveries get their grace
/// period and are then killed, their ends are audited, systemd hears STOPPING, and the socket file is removed if it is
/// still ours.
/// </remarks>
public sealed class Watcher : IAsyncDisposable
{
    private const int InputCapacity = 65_536;

    private readonly WatcherOptions _options;
    private readonly TimeProvider _time;
    private readonly long _start;
    private readonly Action<WatchEvent>? _onEvent;
    private readonly WatchTelemetry _telemetry;
    private readonly List<IBeatListener> _listeners = [];
    private readonly Channel<WatchInput> _control = Channel.CreateUnbounded<WatchInput>(new UnboundedChannelOptions { SingleReader = true });
    private readonly LoopWakeup _wakeup = new();
    private readonly List<WatchEvent> _events = [];
    private readonly Queue<WatchInput> _followUps = new();
    private readonly Dictionary<long, RecoveryCompletion> _completions = [];
    private readonly CancellationTokenSource _stop = new();
    private RecoveryRunner? _recovery;
    private AuditLog? _audit;
    private EventExportFile? _export;
    private WatchTraceRecorder? _trace;
    private MetricsEndpoint? _metrics;
    private SystemdNotifier? _notifier;
    private ITimer? _ticker;
    private TimeSpan? _tickArmedFor; // the watcher time the tick timer fires at; null when disarmed (loop only)
    private Task _loop = Task.CompletedTask;
    private int _stopped;

    private Watcher(WatcherOptions options, Action<WatchEvent>? onEvent)
    {
        _options = options;
        _time = options.TimeProvider;
        _start = _time.GetTimestamp();
        _onEvent = onEvent;
        _telemetry = new WatchTelemetry(_time);
        Engine = new WatchEngine(options.Engine with { RecoveryEnabled = options.Recovery is not null });
    }

    /// <summary>The engine (read its <see cref="WatchEngine.Counters"/>; never call <c>Handle</c> on it).</summary>
    public WatchEngine Engine { get; }

    /// <summary>Where beats are received: <c>unix:PATH</c>, <c>udp:ADDRESS:PORT</c>.</summary>
    public IReadOnlyList<string> Endpoints => [.. _listeners.Select(l => l.Endpoint)];

    /// <summary>The metrics address actually bound (with the real port when 0 was asked for), or null.</summary>
    public System.Net.IPEndPoint? MetricsEndpoint => _metrics?.LocalEndpoint;

    /// <summary>
    /// Datagrams dropped between the listeners' queues and the engine: always 0, since the loop reads the listeners'
    /// queues itself (their drops are <see cref="DroppedByListeners"/>). Kept so that accounting code need not change.
    /// </summary>
    public long DroppedInputs => 0;

    /// <summary>Datagrams dropped by the listeners because their queues were full.</summary>
    public long DroppedByListeners => _listeners.Sum(l => l.DroppedQueueFull);

    /// <summary>The trace recorder when <see cref="WatcherOptions.TraceFile"/> is set, else null.</summary>
    public WatchTraceRecorder? TraceRecorder => _trace;

    /// <summary>Engine tick durations, as exported on <c>/metrics</c>.</summary>
    public TickDurationHistogram TickDurations { get; } = new();

    /// <summary>Completes when the watcher has stopped; faults if its loop failed.</summary>
    public Task Completion => _loop;

    /// <summary>
    /// Binds the listeners, opens the audit log (writing a <c>boot</c> row) and the exports, tells systemd READY and
    /// starts watching. <paramref name="onEvent"/> receives every event on the watcher's loop (keep it quick).
    /// </summary>
    /// <exception cref="ArgumentException">No socket and no UDP address, or an invalid option.</exception>
    /// <exception cref="RecoveryProgramRefusedException">The recovery command's program is missing, not a file, not executable by the watcher's user, or world-writable; it is looked up as the recovery will look it up, on the recovery's own <c>PATH</c>.</exception>
    public static Task<Watcher> StartAsync(WatcherOptions options, Action<WatchEvent>? onEvent = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.SocketPath is null && options.Udp is null)
        {
            throw new ArgumentException("The watcher needs somewhere to receive beats: a socket path, a UDP address, or both.", nameof(options));
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.TickInterval, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.TickInterval, Durations.LongestWait, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ReapPerTick, 1, nameof(options));
        if (options.Recovery is { } recovery)
        {
            // Now, not when the first agent stalls: a recovery that cannot run should stop the watcher from starting.
            RecoveryProgram.Vet(recovery, options.RecoveryOptions);
        }

        var watcher = new Watcher(options, onEvent);
        return watcher.StartCoreAsync();
    }

    /// <summary>Stops watching and shuts down gracefully; see the remarks.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            await _loop.ConfigureAwait(false);
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        _wakeup.Ring();
        try
        {
            await _loop.ConfigureAwait(false);
        }
        finally
        {
            await ReleaseAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc cref="StopAsync"/>
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private async Task<Watcher> StartCoreAsync()
    {
        try
        {
            // Deep queues: a burst (thousands of agents, a descheduled loop) waits in memory rather than being dropped.
            // The listeners wake the loop themselves, once per batch they queue: no thread-pool item per datagram.
            var listenerOptions = new BeatListenerOptions { TimeProvider = _time, QueueCapacity = InputCapacity, Arrived = _wakeup.Ring };
            if (_options.SocketPath is { } path)
            {
                _listeners.Add(UnixDatagramListener.Bind(path, _options.SocketMode, listenerOptions));
            }

            if (_options.Udp is { } udp)
            {
                _listeners.Add(UdpListener.Bind(udp, _options.TrustUdp, listenerOptions));
            }

            if (_options.AuditFile is { } auditFile)
            {
                _audit = AuditLog.Open(auditFile, (_options.AuditOptions ?? new AuditOptions()) with { TimeProvider = _time });
                _audit.Boot(typeof(Watcher).Assembly.GetName().Version?.ToString() ?? "0", Summary());
            }

            if (_options.ExportFile is { } exportFile)
            {
                _export = EventExportFile.Open(exportFile, time: _time);
            }

            if (_options.TraceFile is { } traceFile)
            {
                _trace = WatchTraceRecorder.Create(traceFile, Engine.Options, _options.TraceOptions);
            }

            if (_options.Recovery is { } recovery)
            {
                _recovery = new RecoveryRunner(recovery, _options.RecoveryOptions, _options.Runner, _time);
            }

            if (_options.Metrics is { } metrics)
            {
                _metrics = Tether.Watch.MetricsEndpoint.Start(metrics, () => Engine.Counters, TickDurations, _options.MetricsTokenFile);
            }

            // One-shot, re-armed by the loop for the engine's next deadline: an idle watcher sleeps, it does not poll.
            _ticker = _time.CreateTimer(static state => ((Watcher)state!).PostTick(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _loop = LoopAsync();
            if (_options.SystemdNotify)
            {
                _notifier = SystemdNotifier.FromEnvironment(() => !_loop.IsCompleted, _time);
                _notifier.Ready(string.Join(", ", Endpoints));
            }

            return this;
        }
        catch
        {
            Interlocked.Exchange(ref _stopped, 1);
            await _stop.CancelAsync().ConfigureAwait(false);
            _wakeup.Ring(); // a loop already started must not sleep on
            await ReleaseAsync().ConfigureAwait(false);
            throw;
        }
    }

    private string Summary() => string.Create(CultureInfo.InvariantCulture,
        $"endpoints={string.Join(',', Endpoints)} threshold_ms={(long)_options.Engine.Threshold.TotalMilliseconds} capacity={_options.Engine.Capacity} recovery={(_options.Recovery is { } r ? r.Program : "none")} cross_namespace={(_options.Engine.AllowCrossNamespace ? "allowed" : "refused")} trust_udp={(_options.TrustUdp ? "yes" : "no")}");

    private TimeSpan Now() => _time.GetElapsedTime(_start);

    private void PostTick()
    {
        _control.Writer.TryWrite(new WatchInput.Tick(Now()));
        _wakeup.Ring();
    }

    private async Task LoopAsync()
    {
        // A thread of its own (not a thread-pool item): it sleeps in LoopWakeup between inputs.
        await Task.Factory.StartNew(RunLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
        await ShutDownAsync().ConfigureAwait(false);
    }

    private void RunLoop()
    {
        var stopping = _stop.Token;
        while (!stopping.IsCancellationRequested)
        {
            // Cleared before the queues are read: whatever is queued from now on wakes the loop again.
            _wakeup.Clear();

            // Ticks and recovery exits first: a flood of datagrams must not delay stall detection.
            while (_control.Reader.TryRead(out var control))
            {
                Handle(control);
            }

            var more = false;
            foreach (var listener in _listeners)
            {
                more |= HandleDatagrams(listener, DatagramsPerTurn);
            }

            if (!more)
            {
                ArmTick();
                _wakeup.Wait();
            }
        }
    }

    // Per listener and turn of the loop: a flood on one listener delays neither ticks nor the other listeners.
    private const int DatagramsPerTurn = 1024;

    /// <summary>Hands up to <paramref name="max"/> of a listener's queued datagrams to the engine; true when more wait.</summary>
    private bool HandleDatagrams(IBeatListener listener, int max)
    {
        var queue = listener.Datagrams;
        for (var handled = 0; handled < max; handled++)
        {
            if (!queue.TryRead(out var datagram))
            {
                return false;
            }

            Handle(Input(datagram));
        }

        return true;
    }

    private WatchInput.Datagram Input(ReceivedDatagram datagram)
    {
        var at = _time.GetElapsedTime(_start, datagram.Timestamp);
        return new WatchInput.Datagram(at < TimeSpan.Zero ? TimeSpan.Zero : at, datagram.Bytes, datagram.Facts);
    }

    /// <summary>
    /// Sets the tick timer for the next moment a tick has work: the engine's next deadline, and while recoveries are in
    /// flight every <see cref="WatcherOptions.TickInterval"/> to reap them. A timer already set no later than that is
    /// left alone (if it fires early, that tick finds nothing and the timer is set again).
    /// </summary>
    private void ArmTick()
    {
        var now = Now();
        var due = Engine.NextDeadline;
        if (_recovery is { InFlight: > 0 } && (due is not { } deadline || deadline - now > _options.TickInterval))
        {
            due = now + _options.TickInterval;
        }

        if (due is not { } at)
        {
            if (_tickArmedFor is not null)
            {
                _ticker!.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                _tickArmedFor = null;
            }

            return;
        }

        if (_tickArmedFor is { } armed && armed <= at)
        {
            return;
        }

        // Whole milliseconds, rounded up so the tick does not come just before the deadline; at most the longest wait
        // a timer can take (a far deadline is simply re-armed when that fires).
        var delay = at <= now ? TimeSpan.Zero : at - now;
        delay = delay >= Durations.LongestWait ? Durations.LongestWait : TimeSpan.FromMilliseconds(Math.Max(1, Math.Ceiling(delay.TotalMilliseconds)));
        _tickArmedFor = now + delay;
        _ticker!.Change(delay, Timeout.InfiniteTimeSpan);
    }

    private void Handle(WatchInput input)
    {
        if (input is WatchInput.Tick)
        {
            _tickArmedFor = null; // the one-shot timer fired
        }

        _followUps.Enqueue(input);
        while (_followUps.TryDequeue(out var next))
        {
            var isTick = next is WatchInput.Tick;
            var began = isTick ? _time.GetTimestamp() : 0;
            _events.Clear();
            Engine.Handle(next, _events);
            _trace?.Record(next, _events); // every input, with the hash of what it decided: the recording hook
            if (isTick)
            {
                TickDurations.Observe(_time.GetElapsedTime(began));
                Reap(_options.ReapPerTick);
            }

            foreach (var e in _events)
            {
                CarryOut(e);
            }
        }
    }

    private void Reap(int max)
    {
        if (_recovery is null)
        {
            return;
        }

        foreach (var completion in _recovery.Reap(max))
        {
            _completions[completion.RecoveryId] = completion;
            var result = new RecoveryResult(completion.Outcome, completion.Failure?.ToString(), completion.Duration, completion.StdoutBytes, completion.StderrBytes, completion.Truncated);
            _followUps.Enqueue(new WatchInput.RecoveryEnded(Now(), completion.RecoveryId, result));
        }
    }

    private void CarryOut(WatchEvent e)
    {
        switch (e)
        {
            case WatchEvent.FreshnessCheckRequested check:
                // The edge reads the OS; the engine decides on the answer, which is recorded as an input.
                _followUps.Enqueue(new WatchInput.FreshnessChecked(Now(), check.RecoveryId, ProcessFacts.StartTime((int)check.Pid)));
                break;
            case WatchEvent.RecoveryStarted started:
                _audit?.Spawn(started.RecoveryId, started.Pid, started.StartTime, _options.Recovery!.Program, _options.Recovery.Arguments.Length);
                if (_recovery is null || !_recovery.TryStart(started.RecoveryId, (int)started.Pid))
                {
                    var refused = new RecoveryResult(null, "the recovery runner is shutting down", TimeSpan.Zero, 0, 0, false);
                    _followUps.Enqueue(new WatchInput.RecoveryEnded(Now(), started.RecoveryId, refused));
                }

                break;
            case WatchEvent.RecoveryRefused refused:
                _audit?.Refused(refused.Pid, SnakeCaseNames.Of(refused.Reason));
                break;
            case WatchEvent.RecoveryCompleted completed:
                _completions.Remove(completed.RecoveryId, out var completion);
                _audit?.Complete(
                    completed.RecoveryId,
                    completed.Pid,
                    completed.Result.Outcome,
                    completed.Result.Duration,
                    new AuditOutput(completed.Result.StdoutBytes, completion?.StdoutTruncated ?? completed.Result.Truncated),
                    new AuditOutput(completed.Result.StderrBytes, completion?.StderrTruncated ?? false));
                break;
        }

        _telemetry.Observe(e);
        _export?.Write(e);
        try
        {
            _onEvent?.Invoke(e);
        }
        catch (Exception ex)
        {
            // The caller's display must not stop the watcher; say it once on stderr-equivalent trace.
            Trace.TraceError($"A watch event handler failed: {ex.Message}");
        }
    }

    private async Task ShutDownAsync()
    {
        if (_ticker is not null)
        {
            await _ticker.DisposeAsync().ConfigureAwait(false);
        }

        _notifier?.Stopping();
        foreach (var listener in _listeners)
        {
            await listener.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var listener in _listeners)
        {
            HandleDatagrams(listener, int.MaxValue);

            // A listener that stopped receiving for good fails the watcher here, with its error.
            await listener.Datagrams.Completion.ConfigureAwait(false);
        }

        if (_recovery is not null)
        {
            // Grace, then kill; then audit how each ended.
            await _recovery.DisposeAsync().ConfigureAwait(false);
            Reap(int.MaxValue);
            while (_followUps.Count > 0)
            {
                Handle(_followUps.Dequeue());
            }
        }
    }

    private async Task ReleaseAsync()
    {
        if (_ticker is not null)
        {
            await _ticker.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var listener in _listeners)
        {
            await listener.DisposeAsync().ConfigureAwait(false);
        }

        if (_recovery is not null)
        {
            await _recovery.DisposeAsync().ConfigureAwait(false);
        }

        if (_metrics is not null)
        {
            await _metrics.DisposeAsync().ConfigureAwait(false);
        }

        if (_notifier is not null)
        {
            await _notifier.DisposeAsync().ConfigureAwait(false);
        }

        _export?.Dispose();
        _trace?.Dispose();
        _audit?.Dispose();
        _stop.Dispose();
        if (_loop.IsCompleted)
        {
            // Only once the loop thread has left it: after a failed start the loop may still be on its way out.
            _wakeup.Dispose();
        }
    }
}
