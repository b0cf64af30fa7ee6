namespace Tether.Supervisor;

/// <summary>Where one instance of a service is in its life. Each value reads without colour in a status table.</summary>
public enum ServiceState
{
    /// <summary>Not started yet: waiting for its dependencies (the reason names which and for what).</summary>
    Waiting,

    /// <summary>Asked to start; the process does not exist yet.</summary>
    Starting,

    /// <summary>Its process runs; it has a readiness probe that has not passed yet.</summary>
    Running,

    /// <summary>Its process runs and is ready (its readiness probe passed, or it has none).</summary>
    Ready,

    /// <summary>Its tree was sent the stop signal; waiting for it to end (SIGKILL after the grace period).</summary>
    Stopping,

    /// <summary>Its process ended and a restart is scheduled after a backoff.</summary>
    Restarting,

    /// <summary>It ended with an exit code it counts as success and is not restarted (a one-shot job that finished).</summary>
    Completed,

    /// <summary>It ended in failure and its restart policy does not restart it.</summary>
    Exited,

    /// <summary>Given up: it failed more often than its start limit allows (tried again after <c>retry_after</c> if set).</summary>
    Failed,

    /// <summary>Stopped by an operator or by the supervisor's shutdown.</summary>
    Stopped,
}

/// <summary>What the probes last said of an instance.</summary>
public enum Health
{
    /// <summary>No probe has decided yet, or the instance has no probes.</summary>
    Unknown,

    /// <summary>Its probes pass.</summary>
    Passing,

    /// <summary>A probe failed past its threshold.</summary>
    Failing,
}

/// <summary>Why an instance was asked to stop.</summary>
public enum StopCause
{
    /// <summary><c>tether stop</c>.</summary>
    Operator,

    /// <summary><c>tether restart</c>: it starts again once ended.</summary>
    OperatorRestart,

    /// <summary>The supervisor is shutting down (Ctrl+C, SIGTERM, <c>tether down</c>).</summary>
    Shutdown,

    /// <summary>Its liveness probe failed past its threshold (or its heartbeat stalled): it is restarted.</summary>
    LivenessFailed,

    /// <summary>A reload changed its definition: it starts again with the new one.</summary>
    Reload,

    /// <summary>A reload removed the service, or a scale-down removed this instance.</summary>
    Removed,
}

/// <summary>Operator commands that act on one service.</summary>
public enum OperatorAction
{
    /// <summary>Start a stopped, failed, completed or exited service (clears its failure count).</summary>
    Start,

    /// <summary>Stop it (dependents keep running).</summary>
    Stop,

    /// <summary>Stop it and start it again at once, without backoff.</summary>
    Restart,

    /// <summary>Run a given number of instances.</summary>
    Scale,
}
