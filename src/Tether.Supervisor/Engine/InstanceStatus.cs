namespace Tether.Supervisor;

/// <summary>One row of the status table: where an instance is, since when, and why.</summary>
/// <param name="Id">The instance.</param>
/// <param name="State">Where it is in its life.</param>
/// <param name="Pid">Its process id while one runs, else null.</param>
/// <param name="StartedAt">Engine time its current process started, or null when none runs (uptime = now − this).</param>
/// <param name="Since">Engine time it entered <paramref name="State"/>.</param>
/// <param name="Restarts">Restarts since the supervisor started it first (operator starts do not count).</param>
/// <param name="Health">What its probes last said.</param>
/// <param name="LastExit">How its last process ended, or null.</param>
/// <param name="Reason">Why it is in this state, in words (e.g. <c>waiting for db: ready</c>).</param>
public sealed record InstanceStatus(
    InstanceId Id,
    ServiceState State,
    int? Pid,
    TimeSpan? StartedAt,
    TimeSpan Since,
    int Restarts,
    Health Health,
    ExitInfo? LastExit,
    string Reason);
