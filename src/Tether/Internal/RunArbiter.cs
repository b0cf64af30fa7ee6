namespace Tether.Internal;

/// <summary>
/// Decides why a run ends. Exit, timeout, idle timeout, cancellation, output overflow, a failed pump,
/// <see cref="RunningProcess.StopAsync"/> and disposal race; the first to claim the run names the reason and starts
/// the stop (the stop signal, the grace period, then SIGKILL). A later claimant never changes the reason: it can only
/// escalate — disposal during a graceful stop kills at once.
/// </summary>
/// <remarks>
/// Every wait and timer here runs on the run's <see cref="TimeProvider"/>, so a virtual clock drives timeouts, idle
/// timeouts and grace periods in specs exactly as the wall clock does in production.
/// </remarks>
internal sealed class RunArbiter
{
    private readonly Pipeline _pipeline;
    private readonly ProcessTree _tree;
    private readonly TimeProvider _time;
    private readonly Task _allStagesExited;
    private readonly Lock _gate = new();
    private readonly List<CancellationTokenRegistration> _registrations = [];
    private ITimer? _timeoutTimer;
    private ITimer? _idleTimer;
    private long _lastOutput; // a timestamp of _time: when output last arrived (or the run was armed)
    private StopReason _reason;
    private Task _stopping = Task.CompletedTask;
    private Exception? _pumpFailure;
    private volatile bool _suspended;

    public RunArbiter(Pipeline pipeline, ProcessTree tree, TimeProvider time, Task allStagesExited)
    {
        _pipeline = pipeline;
        _tree = tree;
        _time = time;
        _allStagesExited = allStagesExited;
    }

    /// <summary>The reason that claimed the run, or <see cref="StopReason.None"/> when it ended by itself.</summary>
    public StopReason Reason
    {
        get
        {
            lock (_gate)
            {
                return _reason;
            }
        }
    }

    /// <summary>The stop in progress (signal, grace, kill); completed when there is none.</summary>
    public Task Stopping
    {
        get
        {
            lock (_gate)
            {
                return _stopping;
            }
        }
    }

    /// <summary>The first failure of an output pump, which the run reports instead of a result.</summary>
    public Exception? PumpFailure => Volatile.Read(ref _pumpFailure);

    /// <summary>Whether the owner suspended the tree: a graceful stop resumes it so that it can hear the signal.</summary>
    public bool Suspended
    {
        get => _suspended;
        set => _suspended = value;
    }

    /// <summary>Starts listening to the cancellation tokens and starts the overall and idle timers.</summary>
    public void Arm(IEnumerable<CancellationToken> cancellationTokens)
    {
        foreach (var token in cancellationTokens)
        {
            _registrations.Add(token.UnsafeRegister(static state => ((RunArbiter)state!).Request(StopReason.Cancelled), this));
        }

        if (_pipeline.Timeout is { } timeout)
        {
            _timeoutTimer = _time.CreateTimer(static state => ((RunArbiter)state!).Request(StopReason.Timeout), this, timeout, Timeout.InfiniteTimeSpan);
        }

        if (_pipeline.IdleTimeout is { } idle)
        {
            Volatile.Write(ref _lastOutput, _time.GetTimestamp());

            // Created stopped and started once assigned, so that its first firing always finds it to re-arm.
            _idleTimer = _time.CreateTimer(static state => ((RunArbiter)state!).IdleTimerFired(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _idleTimer.Change(idle, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>
    /// Output arrived: the idle timeout starts over. Called for every read (or kernel move) of output, so it only
    /// notes the time; the idle timer compares when it fires and waits the rest (<see cref="IdleTimerFired"/>).
    /// </summary>
    public void OutputArrived()
    {
        if (_idleTimer is not null)
        {
            Volatile.Write(ref _lastOutput, _time.GetTimestamp());
        }
    }

    /// <summary>
    /// The idle deadline as last set has come: when output arrived since, the run was not idle that long, so the timer
    /// waits for the deadline counted from that output; otherwise the idle timeout claims the run.
    /// </summary>
    private void IdleTimerFired()
    {
        var idle = _pipeline.IdleTimeout!.Value;
        var quiet = _time.GetElapsedTime(Volatile.Read(ref _lastOutput));
        if (quiet < idle)
        {
            try
            {
                _idleTimer?.Change(idle - quiet, Timeout.InfiniteTimeSpan);
            }
            catch (ObjectDisposedException)
            {
                // Disarmed meanwhile: the stages are gone and nothing may claim the run for idleness any more.
            }

            return;
        }

        Request(StopReason.IdleTimeout);
    }

    /// <summary>An output pump failed: the first failure is kept and the tree is killed.</summary>
    public void PumpFailed(Exception failure)
    {
        Interlocked.CompareExchange(ref _pumpFailure, failure, null);
        Request(StopReason.PumpFailed);
    }

    /// <summary>
    /// Claims the run for <paramref name="reason"/> and starts stopping the tree, waiting up to
    /// <paramref name="grace"/> (default: the command's) after the stop signal. Overflow, a failed pump and disposal
    /// kill at once. Does nothing when the run was already claimed (except that disposal escalates to SIGKILL), or
    /// when the program already ended by itself (except for cancellation and disposal, which always claim).
    /// </summary>
    public void Request(StopReason reason, TimeSpan? grace = null)
    {
        lock (_gate)
        {
            if (_reason != StopReason.None)
            {
                // Already stopping; a later disposal must not wait out the whole grace period.
                if (reason is StopReason.Disposed && !_allStagesExited.IsCompleted)
                {
                    TryKill();
                }

                return;
            }

            if (_allStagesExited.IsCompleted && reason is not (StopReason.Cancelled or StopReason.Disposed))
            {
                return; // too late: the program already ended by itself
            }

            _reason = reason;
            var immediate = reason is StopReason.OutputOverflow or StopReason.PumpFailed or StopReason.Disposed;
            _stopping = StopTreeAsync(immediate ? TimeSpan.Zero : grace ?? _pipeline.Grace);
        }
    }

    /// <summary>Stops the overall and idle timers: the stages are gone, so neither may claim the run any more.</summary>
    public async Task DisarmTimersAsync()
    {
        if (_timeoutTimer is not null)
        {
            await _timeoutTimer.DisposeAsync().ConfigureAwait(false);
        }

        if (_idleTimer is not null)
        {
            await _idleTimer.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Stops listening to the cancellation tokens.</summary>
    public async Task DisarmCancellationAsync()
    {
        foreach (var registration in _registrations)
        {
            await registration.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task StopTreeAsync(TimeSpan grace)
    {
        await Task.Yield();
        if (_allStagesExited.IsCompleted)
        {
            return;
        }

        try
        {
            if (grace > TimeSpan.Zero)
            {
                _tree.Signal(_pipeline.StopSignal);
                if (_suspended)
                {
                    _tree.Resume();
                }

                await Task.WhenAny(_allStagesExited, Task.Delay(grace, _time)).ConfigureAwait(false);
            }
        }
        finally
        {
            if (!_allStagesExited.IsCompleted)
            {
                TryKill();
            }
        }
    }

    private void TryKill()
    {
        try
        {
            _tree.Kill();
        }
        catch (ProcessIOException)
        {
            // Teardown retries and reports; a failed kill here must not fault the arbiter.
        }
    }
}
