namespace Tether.Supervisor;

/// <summary>
/// A readiness (<c>ready:</c>) or liveness (<c>live:</c>) probe. <see cref="ProbeKind.Exec"/>, <see cref="ProbeKind.Http"/>
/// and <see cref="ProbeKind.Tcp"/> are polled every <see cref="Period"/>; <see cref="ProbeKind.Log"/> and
/// <see cref="ProbeKind.Heartbeat"/> are observed (a matching line; beats and their silence).
/// </summary>
public sealed record ProbeDefinition
{
    /// <summary>Which kind of check this is.</summary>
    public required ProbeKind Kind { get; init; }

    /// <summary>For <see cref="ProbeKind.Exec"/>: the program and arguments; success is exit code 0 within the timeout.</summary>
    public IReadOnlyList<string>? Command { get; init; }

    /// <summary>For <see cref="ProbeKind.Http"/>: the URL; success is a 2xx status within the timeout.</summary>
    public Uri? Url { get; init; }

    /// <summary>For <see cref="ProbeKind.Tcp"/>: the host (default 127.0.0.1).</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>For <see cref="ProbeKind.Tcp"/>: the port; success is an accepted connection within the timeout.</summary>
    public int Port { get; init; }

    /// <summary>For <see cref="ProbeKind.Log"/>: a regular expression a line of the service's output must match.</summary>
    public string? Pattern { get; init; }

    /// <summary>How often a polled probe runs.</summary>
    public TimeSpan Period { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long one check may take before it counts as failed; for heartbeats, the silence that counts as a stall.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long after the start the first check happens (and failures before it do not count).</summary>
    public TimeSpan InitialDelay { get; init; } = TimeSpan.Zero;

    /// <summary>Consecutive successes that make the probe pass.</summary>
    public int SuccessThreshold { get; init; } = 1;

    /// <summary>Consecutive failures that make the probe fail.</summary>
    public int FailureThreshold { get; init; } = 3;

    /// <summary>True for kinds the supervisor runs on a period; false for kinds it observes.</summary>
    public bool IsPolled => Kind is ProbeKind.Exec or ProbeKind.Http or ProbeKind.Tcp;
}

/// <summary>The kinds of probe.</summary>
public enum ProbeKind
{
    /// <summary>Run a program; exit 0 passes.</summary>
    Exec,

    /// <summary>GET a URL; a 2xx status passes.</summary>
    Http,

    /// <summary>Connect to a TCP port; an accepted connection passes.</summary>
    Tcp,

    /// <summary>A line of the service's output matches a pattern.</summary>
    Log,

    /// <summary>The service sends VLP heartbeats to <c>TETHER_WATCH_SOCKET</c>; silence past the timeout fails.</summary>
    Heartbeat,
}

/// <summary>What a probe is for.</summary>
public enum ProbeRole
{
    /// <summary><c>ready:</c> — passing makes the service ready; dependents waiting for <c>ready</c> may start.</summary>
    Readiness,

    /// <summary><c>live:</c> — failing (past the threshold) restarts the service.</summary>
    Liveness,
}
