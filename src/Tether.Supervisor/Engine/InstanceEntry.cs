namespace Tether.Supervisor;

/// <summary>The engine's record of one instance: its state and everything its next decision depends on.</summary>
internal sealed class InstanceEntry(ServiceEntry service, int index, TimeSpan now)
{
    public ServiceEntry Service { get; } = service;

    public InstanceId Id { get; } = new(service.Name, index);

    /// <summary>The definition this instance runs (or will run next).</summary>
    public ServiceDefinition Definition { get; set; } = service.Definition;

    public ServiceState State { get; set; } = ServiceState.Waiting;

    public TimeSpan Since { get; set; } = now;

    public string Reason { get; set; } = "";

    /// <summary>The run the engine started last (0 before the first).</summary>
    public long RunId { get; set; }

    public int? Pid { get; set; }

    public TimeSpan? StartedAt { get; set; }

    /// <summary>Restarts the engine decided (operator starts are not counted).</summary>
    public int Restarts { get; set; }

    /// <summary>Restarts since the last stable run: the backoff's exponent.</summary>
    public int Consecutive { get; set; }

    /// <summary>When each restart inside the start limit's interval was decided (at most the burst).</summary>
    public Queue<TimeSpan> RecentRestarts { get; } = new();

    public ExitInfo? LastExit { get; set; }

    /// <summary>When a restart backoff or a start limit's retry falls due.</summary>
    public TimeSpan? WakeAt { get; set; }

    /// <summary>Why it is stopping; set with <see cref="ServiceState.Stopping"/>.</summary>
    public StopCause? StopCause { get; set; }

    /// <summary>When the engine SIGKILLs a tree that outlived its grace (a backstop for the host's own kill).</summary>
    public TimeSpan? StopDeadline { get; set; }

    /// <summary>The stop was decided while the process did not exist yet; it is sent when the process appears.</summary>
    public bool StopPending { get; set; }

    public bool KillSent { get; set; }

    /// <summary>Leaves the table when its process ended (scale-down, service removed).</summary>
    public bool PendingRemoval { get; set; }

    /// <summary>The definition to start with after the current stop (a reload).</summary>
    public ServiceDefinition? NextDefinition { get; set; }

    /// <summary>The detail of the liveness failure that caused the current stop.</summary>
    public string? LivenessDetail { get; set; }

    public ProbeTracker Readiness { get; } = new();

    public ProbeTracker Liveness { get; } = new();

    /// <summary>True while a process exists or is being started or stopped.</summary>
    public bool IsAlive => State is ServiceState.Starting or ServiceState.Running or ServiceState.Ready or ServiceState.Stopping;

    public Health Health => Readiness.Health == Health.Failing || Liveness.Health == Health.Failing
        ? Health.Failing
        : Readiness.Health == Health.Passing || Liveness.Health == Health.Passing ? Health.Passing : Health.Unknown;

    public ProbeTracker Probe(ProbeRole role) => role == ProbeRole.Readiness ? Readiness : Liveness;
}
