namespace Tether.Supervisor;

/// <summary>
/// Everything that enters the <see cref="SupervisorEngine"/>, each stamped with the supervisor's monotonic time
/// (<see cref="At"/>, time since it started, from its <see cref="TimeProvider"/>). A recording of the inputs reproduces
/// every decision. Inputs about a process carry the <c>RunId</c> of the <see cref="SupervisorDecision.StartInstance"/>
/// that started it, so news of an earlier process of the same instance is recognised and ignored.
/// </summary>
public abstract record SupervisorInput(TimeSpan At)
{
    /// <summary>The first input: the services to run, and the seed of the engine's random source (restart jitter).</summary>
    public sealed record Configure(TimeSpan At, ServiceSet Services, ulong Seed) : SupervisorInput(At);

    /// <summary>A re-read configuration: removed services stop, new ones start, changed ones restart, replicas scale.</summary>
    public sealed record Reload(TimeSpan At, ServiceSet Services) : SupervisorInput(At);

    /// <summary>The process of a <see cref="SupervisorDecision.StartInstance"/> exists.</summary>
    public sealed record Started(TimeSpan At, InstanceId Instance, long RunId, int Pid) : SupervisorInput(At);

    /// <summary>A <see cref="SupervisorDecision.StartInstance"/> could not start (program missing, refused limit, …).</summary>
    public sealed record StartFailed(TimeSpan At, InstanceId Instance, long RunId, string Reason) : SupervisorInput(At);

    /// <summary>The process (and its tree) of a run ended.</summary>
    public sealed record Exited(TimeSpan At, InstanceId Instance, long RunId, ExitInfo Exit) : SupervisorInput(At);

    /// <summary>
    /// A probe's verdict: the answer to a <see cref="SupervisorDecision.RunProbe"/> (same <paramref name="ProbeId"/>), or,
    /// for observed probes (log, heartbeat; <paramref name="ProbeId"/> 0), a matching line, a beat or a stall.
    /// </summary>
    public sealed record ProbeCompleted(TimeSpan At, InstanceId Instance, long RunId, ProbeRole Role, long ProbeId, bool Passed, string Detail) : SupervisorInput(At);

    /// <summary>Time passed: backoffs, probe periods and stop deadlines fall due on ticks (the host ticks at <see cref="SupervisorEngine.NextDeadline"/>).</summary>
    public sealed record Tick(TimeSpan At) : SupervisorInput(At);

    /// <summary>An operator's command for one service (<paramref name="Replicas"/> only for <see cref="OperatorAction.Scale"/>).</summary>
    public sealed record Operator(TimeSpan At, OperatorAction Action, string Service, int Replicas = 0) : SupervisorInput(At);

    /// <summary>Stop everything in reverse dependency order; with <paramref name="Force"/>, SIGKILL every tree now.</summary>
    public sealed record Shutdown(TimeSpan At, bool Force) : SupervisorInput(At);
}
