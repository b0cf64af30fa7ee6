namespace Tether.Supervisor;

/// <summary>
/// The supervisor's decisions as a deterministic state machine. Inputs — the configuration, process starts and exits,
/// probe verdicts, ticks, operator commands, reloads, the shutdown — enter through <see cref="Handle"/>; requests to the
/// host (start, stop, kill, probe) and facts for the journal (state changes and why, restarts with the backoff chosen,
/// gave up, all ready, shut down) come out, in order. The engine never reads a clock, a random source or the OS: time is
/// the input's <see cref="SupervisorInput.At"/> (held where it was when a clock jumps back), and the jitter's random
/// source is seeded by <see cref="SupervisorInput.Configure"/>. So a recording of the inputs reproduces every decision.
/// Not thread-safe: one caller feeds it.
/// </summary>
/// <remarks>
/// <para><b>Starting.</b> An instance waits until every dependency reached its condition (every instance of it
/// started, ready, or completed successfully), then starts; it is ready when its readiness probe passed, or at once
/// without one. A restart waits for the dependencies again: a dependency restarting holds its dependents back.</para>
/// <para><b>Ending.</b> An unexpected end restarts by the restart policy after an exponential, jittered backoff that a
/// stable run (<c>reset_after</c>) resets. More restarts than the start limit's burst within its interval give up
/// (Failed, with the reason), retried after <c>retry_after</c> if set. A liveness probe failing past its threshold
/// stops the tree and counts as a failure.</para>
/// <para><b>Stopping.</b> A shutdown stops services in reverse dependency order — a service's tree is signalled only
/// once every dependent's tree ended — and ends with <see cref="SupervisorDecision.ShutdownCompleted"/>. A forced
/// shutdown SIGKILLs every tree at once. A tree that outlives its grace by two seconds is SIGKILLed by the engine too.</para>
/// </remarks>
public sealed partial class SupervisorEngine
{
    /// <summary>How long past its grace a stopping tree may take before the engine asks for SIGKILL itself.</summary>
    internal static readonly TimeSpan StopBackstop = TimeSpan.FromSeconds(2);

    private readonly List<ServiceEntry> _services = [];
    private SeededRandom _random;
    private ServiceSet? _set;
    private long _nextRunId;
    private long _nextProbeId;
    private bool _shuttingDown;
    private bool _shutdownCompleted;
    private bool _allReady;

    /// <summary>
    /// A known bug to build the engine with, so the lab's specs can show the simulator finds it; never set outside
    /// them. <see cref="SupervisorPlantedBug.None"/> is the engine as shipped.
    /// </summary>
    internal SupervisorPlantedBug PlantedBug { get; init; }

    /// <summary>The engine's time: the latest input time seen (it never goes backwards).</summary>
    public TimeSpan Now { get; private set; }

    /// <summary>The services as last configured or reloaded, or null before <see cref="SupervisorInput.Configure"/>.</summary>
    public ServiceSet? Services => _set;

    /// <summary>True once a shutdown began.</summary>
    public bool IsShuttingDown => _shuttingDown;

    /// <summary>True once the shutdown finished (every tree ended).</summary>
    public bool IsShutDown => _shutdownCompleted;

    /// <summary>Instances in the table now (removed ones leave it once their process ended).</summary>
    public int InstanceCount
    {
        get
        {
            var count = 0;
            foreach (var service in _services)
            {
                count += service.Instances.Count;
            }

            return count;
        }
    }

    /// <summary>
    /// When the host must tick next — the earliest restart backoff, start-limit retry, probe period, unanswered probe
    /// or stop backstop — or null when nothing is pending (the host sleeps until the next input).
    /// </summary>
    public TimeSpan? NextDeadline
    {
        get
        {
            TimeSpan? next = null;
            void Consider(TimeSpan at) => next = next is { } n && n <= at ? n : at;

            foreach (var service in _services)
            {
                foreach (var instance in service.Instances)
                {
                    if (instance.WakeAt is { } wake && instance.State is ServiceState.Restarting or ServiceState.Failed)
                    {
                        Consider(wake);
                    }

                    if (instance.State == ServiceState.Stopping && instance.StopDeadline is { } deadline && !instance.KillSent)
                    {
                        Consider(deadline);
                    }

                    if (instance.State is ServiceState.Running or ServiceState.Ready)
                    {
                        ConsiderProbe(instance.Readiness);
                        ConsiderProbe(instance.Liveness);
                    }
                }
            }

            return next;

            void ConsiderProbe(ProbeTracker probe)
            {
                if (!probe.Active || probe.Definition is not { IsPolled: true })
                {
                    return;
                }

                Consider(probe.InFlightId == 0 ? probe.DueAt : probe.InFlightDeadline);
            }
        }
    }

    /// <summary>Feeds one input; the decisions it causes are added to <paramref name="decisions"/> in order.</summary>
    public void Handle(SupervisorInput input, ICollection<SupervisorDecision> decisions)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(decisions);
        if (input.At > Now)
        {
            Now = input.At; // a clock that jumps back is held where it was
        }

        switch (input)
        {
            case SupervisorInput.Configure configure:
                _random = new SeededRandom(configure.Seed);
                Apply(configure.Services, decisions);
                break;
            case SupervisorInput.Reload reload:
                Apply(reload.Services, decisions);
                break;
            case SupervisorInput.Started started:
                OnStarted(started, decisions);
                break;
            case SupervisorInput.StartFailed failed:
                if (Current(failed.Instance, failed.RunId) is { } notStarted && notStarted.State is ServiceState.Starting or ServiceState.Stopping)
                {
                    OnEnded(notStarted, exit: null, "could not start: " + failed.Reason, decisions);
                }

                break;
            case SupervisorInput.Exited exited:
                if (Current(exited.Instance, exited.RunId) is { } ended && ended.IsAlive)
                {
                    OnEnded(ended, exited.Exit, exited.Exit.ToString(), decisions);
                }

                break;
            case SupervisorInput.ProbeCompleted probe:
                OnProbeCompleted(probe, decisions);
                break;
            case SupervisorInput.Operator command:
                OnOperator(command, decisions);
                break;
            case SupervisorInput.Shutdown shutdown:
                OnShutdown(shutdown.Force, decisions);
                break;
        }

        OnTime(decisions);
        Advance(decisions);
    }

    /// <summary>Every instance, services in file order, instances by index.</summary>
    public IReadOnlyList<InstanceStatus> Status()
    {
        var rows = new List<InstanceStatus>(InstanceCount);
        foreach (var service in _services)
        {
            foreach (var instance in service.Instances)
            {
                rows.Add(new InstanceStatus(
                    instance.Id, instance.State, instance.Pid, instance.StartedAt, instance.Since, instance.Restarts, instance.Health, instance.LastExit, instance.Reason));
            }
        }

        return rows;
    }

    private InstanceEntry? Find(InstanceId id)
    {
        foreach (var service in _services)
        {
            if (!string.Equals(service.Name, id.Service, StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var instance in service.Instances)
            {
                if (instance.Id.Index == id.Index)
                {
                    return instance;
                }
            }
        }

        return null;
    }

    /// <summary>The instance when <paramref name="runId"/> is its current run; news of an earlier run is ignored.</summary>
    private InstanceEntry? Current(InstanceId id, long runId) => Find(id) is { } instance && instance.RunId == runId ? instance : null;

    private ServiceEntry? FindService(string name)
    {
        foreach (var service in _services)
        {
            if (string.Equals(service.Name, name, StringComparison.Ordinal))
            {
                return service;
            }
        }

        return null;
    }

    private void ChangeState(InstanceEntry instance, ServiceState to, string reason, ICollection<SupervisorDecision> decisions)
    {
        var from = instance.State;
        instance.Reason = reason;
        if (from == to)
        {
            return;
        }

        instance.State = to;
        instance.Since = Now;
        decisions.Add(new SupervisorDecision.StateChanged(Now, instance.Id, from, to, reason));
    }
}
