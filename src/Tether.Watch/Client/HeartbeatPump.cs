namespace Tether.Watch;

/// <summary>
/// Beats in the background: one heartbeat at once, then one every interval on the client's clock, each with the health
/// a callback reports; and the terminal frame (<see cref="Frame.Terminated"/>) when the process exits, when an
/// exception goes unhandled, or when the pump is disposed — whichever comes first, and only once.
/// </summary>
/// <remarks>
/// The pump owns its <see cref="HeartbeatClient"/> and disposes it. Until it is disposed it stays subscribed to
/// <see cref="AppDomain.ProcessExit"/> and <see cref="AppDomain.UnhandledException"/> (which keep it alive), so dispose
/// a pump that is no longer wanted.
/// </remarks>
public sealed class HeartbeatPump : IAsyncDisposable
{
    private readonly Func<AgentHealth>? _health;
    private readonly bool _terminateOnDispose;
    private readonly Lock _gate = new();
    private readonly ITimer _timer;
    private BeatResult _lastResult;
    private Exception? _lastHealthError;
    private bool _stopped; // no more beats
    private bool _terminated; // the terminal frame went out (or was tried)
    private bool _disposed;

    private HeartbeatPump(HeartbeatClient client, TimeSpan interval, Func<AgentHealth>? health, bool terminateOnDispose)
    {
        Client = client;
        _health = health;
        _terminateOnDispose = terminateOnDispose;
        // The first beat now, so the watcher knows the agent from the start rather than one interval later. (Before
        // subscribing: a disposed client throws here, and must not leave a subscription behind.)
        Tick();
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
        AppDomain.CurrentDomain.UnhandledException += OnUnhandledException;
        _timer = client.TimeProvider.CreateTimer(static state => ((HeartbeatPump)state!).Tick(), this, interval, interval);
    }

    /// <summary>The client the beats go through (owned by the pump): its <see cref="HeartbeatClient.Counters"/> show how they fared.</summary>
    public HeartbeatClient Client { get; }

    /// <summary>What became of the latest beat.</summary>
    public BeatResult LastResult
    {
        get
        {
            lock (_gate)
            {
                return _lastResult;
            }
        }
    }

    /// <summary>The exception the health callback threw at the latest beat, or null when it answered.</summary>
    public Exception? LastHealthError
    {
        get
        {
            lock (_gate)
            {
                return _lastHealthError;
            }
        }
    }

    /// <summary>
    /// Starts beating through <paramref name="client"/>: one beat now, then one every <paramref name="interval"/>.
    /// </summary>
    /// <param name="client">The client to beat through; the pump owns it from now on and disposes it.</param>
    /// <param name="interval">The time between beats, on the client's clock; a watcher's stall timeout should be a few of these.</param>
    /// <param name="health">
    /// Called before every beat for the status and payload to send; <see cref="AgentHealth.Ok"/> when null. It runs on a
    /// timer thread and should answer at once. When it throws, the beat is sent as <see cref="BeatStatus.Critical"/>
    /// (an agent that cannot tell its health is not healthy) and the exception is kept in <see cref="LastHealthError"/>.
    /// </param>
    /// <param name="terminateOnDispose">Whether <see cref="DisposeAsync"/> sends the terminal frame (it does by default).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="interval"/> is not positive, or longer than <see cref="Durations.LongestWait"/> (about 49.7 days, the longest a timer can wait).</exception>
    public static HeartbeatPump Start(HeartbeatClient client, TimeSpan interval, Func<AgentHealth>? health = null, bool terminateOnDispose = true)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(interval, Durations.LongestWait);
        return new HeartbeatPump(client, interval, health, terminateOnDispose);
    }

    /// <summary>
    /// Stops beating, sends the terminal frame unless the pump was started with <c>terminateOnDispose: false</c> (or it
    /// was sent already), and disposes the client.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _stopped = true;
        }

        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        AppDomain.CurrentDomain.UnhandledException -= OnUnhandledException;
        await _timer.DisposeAsync().ConfigureAwait(false);
        if (_terminateOnDispose)
        {
            Terminate();
        }

        Client.Dispose();
    }

    internal void OnProcessExit(object? sender, EventArgs e) => Terminate();

    internal void OnUnhandledException(object? sender, UnhandledExceptionEventArgs e) => Terminate();

    private void Tick()
    {
        AgentHealth health;
        Exception? error = null;
        try
        {
            health = _health?.Invoke() ?? AgentHealth.Ok;
        }
#pragma warning disable CA1031 // Whatever the callback throws, the watcher must hear that this agent is in trouble.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            health = new AgentHealth(BeatStatus.Critical);
            error = ex;
        }

        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            _lastHealthError = error;
            // A status no heartbeat may carry (Stall, or a value out of range) would make Beat throw on the timer thread.
            var status = health.Status is BeatStatus.Ok or BeatStatus.Degraded ? health.Status : BeatStatus.Critical;
            _lastResult = Client.Beat(status, health.Payload);
        }
    }

    /// <summary>Sends the terminal frame once, and stops the beats: nothing may follow an agent's last word.</summary>
    private void Terminate()
    {
        lock (_gate)
        {
            if (_terminated)
            {
                return;
            }

            _terminated = true;
            _stopped = true;
            try
            {
                _lastResult = Client.SendTerminated();
            }
            catch (ObjectDisposedException)
            {
                // The client was disposed behind the pump's back; there is nobody left to tell.
            }
        }
    }
}
