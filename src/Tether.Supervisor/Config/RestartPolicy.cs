namespace Tether.Supervisor;

/// <summary>When a service whose process ended is started again (<c>restart:</c>).</summary>
public enum RestartPolicy
{
    /// <summary>Never: an ended service stays ended.</summary>
    No,

    /// <summary>When it ended with an exit code not in <c>ok_exit_codes</c>, by a signal, or through a failed liveness probe.</summary>
    OnFailure,

    /// <summary>Whenever it ended, except by an operator's or the supervisor's own stop.</summary>
    Always,

    /// <summary>Like <see cref="Always"/>, and an operator's stop is remembered until the operator starts it again (also across a reload).</summary>
    UnlessStopped,
}
