using Tether.ProcFs;
using Tether.Supervisor.Running;
using Tether.Watch;

namespace Tether.Supervisor.Probes;

/// <summary>
/// The <c>heartbeat</c> probes: one VLP listener for the whole supervisor on <c>.tether/heartbeat.sock</c> (its path
/// reaches services as <c>TETHER_WATCH_SOCKET</c>), and per watched run a stall timer on the supervisor's clock.
/// </summary>
/// <remarks>
/// <para>A beat belongs to the run whose tree holds its sender: the kernel's word for the sender's pid
/// (SCM_CREDENTIALS; the frame's own pid only when the kernel said nothing) is walked up its parents until it reaches
/// the pid of a watched run, so a worker process the service started may beat for it.</para>
/// <para>The first beat passes the probe; afterwards a passing beat is reported at most once per probe period, or at
/// once after a failure. Each <see cref="ProbeDefinition.Timeout"/> of silence (counted from the start plus the
/// initial delay, then from the last beat) reports one failed check, so the probe's failure threshold decides how
/// much silence restarts the service. A beat whose status is critical or stall is a failed check.</para>
/// </remarks>
internal sealed class HeartbeatMonitor : IAsyncDisposable
{
    /// <summary>The socket's name in the state directory.</summary>
    public const string SocketName = "heartbeat.sock";

    private const int MaxAncestry = 64;
    private readonly UnixDatagramListener _listener;
    private readonly TimeProvider _time;
    private readonly Action<InstanceRun, ProbeRole, bool, string> _report;
    private readonly Dictionary<int, WatchedRun> _byPid = [];
    private readonly Lock _gate = new();
    private readonly Task _receiving;
    private long _unmatched;
    private long _invalid;

    private HeartbeatMonitor(UnixDatagramListener listener, TimeProvider time, Action<InstanceRun, ProbeRole, bool, string> report)
    {
        _listener = listener;
        _time = time;
        _report = report;
        _receiving = Task.Run(ReceiveAsync);
    }

    /// <summary>The socket's path, for <c>TETHER_WATCH_SOCKET</c>.</summary>
    public string SocketPath => _listener.Path;

    /// <summary>Beats from a process that belongs to no watched run.</summary>
    public long Unmatched => Interlocked.Read(ref _unmatched);

    /// <summary>Datagrams that were not valid frames.</summary>
    public long Invalid => Interlocked.Read(ref _invalid);

    /// <summary>Binds the socket in <paramref name="stateDirectory"/> (owner-only) and starts receiving.</summary>
    /// <exception cref="ListenerBindException">The socket cannot be created there.</exception>
    public static HeartbeatMonitor Start(string stateDirectory, TimeProvider time, Action<InstanceRun, ProbeRole, bool, string> report)
    {
        var listener = UnixDatagramListener.Bind(Path.Combine(stateDirectory, SocketName), UnixDatagramListener.DefaultMode,
            new BeatListenerOptions { TimeProvider = time });
        return new HeartbeatMonitor(listener, time, report);
    }

    /// <summary>Starts watching the heartbeat probes of <paramref name="run"/>, whose process is <paramref name="pid"/>.</summary>
    public void Watch(InstanceRun run, int pid)
    {
        var probes = new List<Probe>(2);
        Add(run.Service.Ready, ProbeRole.Readiness);
        Add(run.Service.Live, ProbeRole.Liveness);
        if (probes.Count == 0)
        {
            return;
        }

        var watch = new WatchedRun(run, pid, [.. probes]);
        lock (_gate)
        {
            if (_byPid.Remove(pid, out var previous))
            {
                previous.Dispose();
            }

            _byPid[pid] = watch;
        }

        foreach (var probe in watch.Probes)
        {
            probe.Stall = _time.CreateTimer(static state =>
            {
                var (monitor, w, p) = ((HeartbeatMonitor, WatchedRun, Probe))state!;
                monitor.Stalled(w, p);
            }, (this, watch, probe), probe.Definition.InitialDelay + probe.Definition.Timeout, probe.Definition.Timeout);
        }

        void Add(ProbeDefinition? definition, ProbeRole role)
        {
            if (definition is { Kind: ProbeKind.Heartbeat })
            {
                probes.Add(new Probe(role, definition));
            }
        }
    }

    /// <summary>Stops watching <paramref name="run"/> (its process ended).</summary>
    public void Forget(InstanceRun run)
    {
        lock (_gate)
        {
            foreach (var (pid, watch) in _byPid)
            {
                if (watch.Run == run)
                {
                    _byPid.Remove(pid);
                    watch.Dispose();
                    return;
                }
            }
        }
    }

    /// <summary>Stops receiving, removes the socket and every timer.</summary>
    public async ValueTask DisposeAsync()
    {
        await _listener.DisposeAsync().ConfigureAwait(false);
        try
        {
            await _receiving.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            // Receiving failed for good earlier; the socket is gone either way.
        }

        lock (_gate)
        {
            foreach (var watch in _byPid.Values)
            {
                watch.Dispose();
            }

            _byPid.Clear();
        }
    }

    private async Task ReceiveAsync()
    {
        await foreach (var datagram in _listener.Datagrams.ReadAllAsync().ConfigureAwait(false))
        {
            if (datagram.IsTruncated || !Frame.TryDecode(datagram.Bytes.Span, out var frame, out _))
            {
                Interlocked.Increment(ref _invalid);
                continue;
            }

            if (frame.IsTerminated)
            {
                continue; // the service says it is ending; its exit tells the rest
            }

            var sender = datagram.Facts.SenderPid ?? (int)frame.Pid;
            if (Find(sender) is not { } watch)
            {
                Interlocked.Increment(ref _unmatched);
                continue;
            }

            Beat(watch, frame.Status);
        }
    }

    private WatchedRun? Find(int pid)
    {
        for (var depth = 0; depth < MaxAncestry && pid > 1; depth++)
        {
            lock (_gate)
            {
                if (_byPid.TryGetValue(pid, out var watch))
                {
                    return watch;
                }
            }

            if (ProcStat.Read(pid) is not { } stat)
            {
                return null;
            }

            pid = stat.ParentPid;
        }

        return null;
    }

    private void Beat(WatchedRun watch, BeatStatus status)
    {
        var healthy = status is BeatStatus.Ok or BeatStatus.Degraded;
        var now = _time.GetTimestamp();
        foreach (var probe in watch.Probes)
        {
            bool report;
            lock (probe)
            {
                if (watch.Disposed)
                {
                    return;
                }

                probe.Stall?.Change(probe.Definition.Timeout, probe.Definition.Timeout);
                report = !healthy || probe.LastReport is null || probe.LastWasFailure ||
                    _time.GetElapsedTime(probe.LastReport.Value, now) >= probe.Definition.Period;
                if (report)
                {
                    probe.LastReport = now;
                    probe.LastWasFailure = !healthy;
                }
            }

            if (report)
            {
                _report(watch.Run, probe.Role, healthy, healthy ? "heartbeat received" : $"the service reported {status.ToString().ToLowerInvariant()}");
            }
        }
    }

    private void Stalled(WatchedRun watch, Probe probe)
    {
        lock (probe)
        {
            if (watch.Disposed)
            {
                return;
            }

            probe.LastReport = _time.GetTimestamp();
            probe.LastWasFailure = true;
        }

        _report(watch.Run, probe.Role, false, $"no heartbeat for {Durations.Format(probe.Definition.Timeout)}");
    }

    private sealed class Probe(ProbeRole role, ProbeDefinition definition)
    {
        public ProbeRole Role { get; } = role;

        public ProbeDefinition Definition { get; } = definition;

        public ITimer? Stall { get; set; }

        public long? LastReport { get; set; }

        public bool LastWasFailure { get; set; }
    }

    private sealed class WatchedRun(InstanceRun run, int pid, Probe[] probes) : IDisposable
    {
        public InstanceRun Run { get; } = run;

        public int Pid { get; } = pid;

        public Probe[] Probes { get; } = probes;

        public bool Disposed { get; private set; }

        public void Dispose()
        {
            foreach (var probe in Probes)
            {
                lock (probe)
                {
                    Disposed = true;
                    probe.Stall?.Dispose();
                }
            }
        }
    }
}
