namespace Tether.Supervisor;

/// <summary>
/// What the <see cref="SupervisorEngine"/> decided, in order. Some are requests to the host (start, stop, kill, probe);
/// the rest are facts for the journal, the status page and <c>tether status</c> (state changes and why, restarts
/// scheduled with the backoff chosen, gave up, all ready, shut down).
/// </summary>
public abstract record SupervisorDecision(TimeSpan At)
{
    /// <summary>Start a process for <paramref name="Instance"/> from <paramref name="Service"/>; answer with Started or StartFailed.</summary>
    public sealed record StartInstance(TimeSpan At, InstanceId Instance, long RunId, ServiceDefinition Service) : SupervisorDecision(At);

    /// <summary>Send <paramref name="Signal"/> to the run's whole tree, then SIGKILL to the whole tree after <paramref name="Grace"/>.</summary>
    public sealed record StopInstance(TimeSpan At, InstanceId Instance, long RunId, Signal Signal, TimeSpan Grace, StopCause Cause) : SupervisorDecision(At);

    /// <summary>SIGKILL the run's whole tree now (a forced shutdown, or a stop past its grace).</summary>
    public sealed record KillInstance(TimeSpan At, InstanceId Instance, long RunId) : SupervisorDecision(At);

    /// <summary>Run one check of a polled probe (exec, http, tcp) within its timeout; answer with ProbeCompleted.</summary>
    public sealed record RunProbe(TimeSpan At, InstanceId Instance, long RunId, ProbeRole Role, long ProbeId, ProbeDefinition Probe) : SupervisorDecision(At);

    /// <summary>An instance changed state, and why (<c>exit 1</c>, <c>waiting for db: ready</c>, …).</summary>
    public sealed record StateChanged(TimeSpan At, InstanceId Instance, ServiceState From, ServiceState To, string Reason) : SupervisorDecision(At);

    /// <summary>
    /// A restart is scheduled after <paramref name="Delay"/>: the <paramref name="Restart"/>th restart of the instance,
    /// <paramref name="RecentRestarts"/> of them within the start limit's interval, because of <paramref name="Reason"/>.
    /// </summary>
    public sealed record RestartScheduled(TimeSpan At, InstanceId Instance, TimeSpan Delay, int Restart, int RecentRestarts, string Reason) : SupervisorDecision(At);

    /// <summary>The instance failed more often than its start limit allows; tried again at <paramref name="RetryAt"/> if set.</summary>
    public sealed record GaveUp(TimeSpan At, InstanceId Instance, string Reason, TimeSpan? RetryAt) : SupervisorDecision(At);

    /// <summary>A probe crossed its threshold: now passing or now failing, with the last check's detail.</summary>
    public sealed record HealthChanged(TimeSpan At, InstanceId Instance, ProbeRole Role, Health Health, string Detail) : SupervisorDecision(At);

    /// <summary>A scaled-down or removed instance ended and left the table.</summary>
    public sealed record InstanceRemoved(TimeSpan At, InstanceId Instance) : SupervisorDecision(At);

    /// <summary>Every instance that should run is ready (or completed): the moment to send READY=1.</summary>
    public sealed record AllReady(TimeSpan At) : SupervisorDecision(At);

    /// <summary>The shutdown finished: every tree ended. The supervisor may exit.</summary>
    public sealed record ShutdownCompleted(TimeSpan At) : SupervisorDecision(At);
}
