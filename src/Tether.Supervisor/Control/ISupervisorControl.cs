namespace Tether.Supervisor;

/// <summary>
/// What a running supervisor lets an operator see and do. The control API (HTTP/JSON over the Unix socket in
/// <c>.tether/</c>, and optionally TCP) serves exactly this; <c>tether status|logs|start|stop|restart|scale|reload|down</c>
/// are its clients. Implemented by <see cref="Supervisor"/>; specs of the API use a fake.
/// </summary>
public interface ISupervisorControl
{
    /// <summary>A snapshot of the supervisor and every instance.</summary>
    SupervisorStatus Status();

    /// <summary>The last <paramref name="lines"/> lines kept in memory for the named services (all when empty), oldest first.</summary>
    /// <exception cref="SupervisorCommandException">A name is not a service.</exception>
    IReadOnlyList<LogLine> Logs(IReadOnlyCollection<string> services, int lines);

    /// <summary>Lines as they arrive for the named services (all when empty), until <paramref name="cancellationToken"/> or shutdown.</summary>
    /// <exception cref="SupervisorCommandException">A name is not a service.</exception>
    IAsyncEnumerable<LogLine> FollowLogs(IReadOnlyCollection<string> services, CancellationToken cancellationToken);

    /// <summary>
    /// Applies an operator command to <paramref name="service"/> (<paramref name="replicas"/> only for
    /// <see cref="OperatorAction.Scale"/>) and returns once the engine has taken it (not when the service reached its new state).
    /// </summary>
    /// <exception cref="SupervisorCommandException">Unknown service, a negative replica count, or the supervisor is shutting down.</exception>
    Task CommandAsync(OperatorAction action, string service, int replicas, CancellationToken cancellationToken);

    /// <summary>Re-reads the configuration file; an invalid file changes nothing and is reported.</summary>
    /// <returns>What the reload changed.</returns>
    /// <exception cref="SupervisorCommandException">The file is invalid (the message names file, line and column).</exception>
    Task<ReloadReport> ReloadAsync(CancellationToken cancellationToken);

    /// <summary>Starts the shutdown (reverse dependency order; <paramref name="force"/>: SIGKILL every tree) and returns at once.</summary>
    Task ShutdownAsync(bool force, CancellationToken cancellationToken);
}

/// <summary>A snapshot of a running supervisor.</summary>
/// <param name="ProjectDirectory">The project directory.</param>
/// <param name="ConfigurationFile">The file the services came from, or null.</param>
/// <param name="Pid">The supervisor's process id.</param>
/// <param name="StartedAt">When the supervisor started (wall clock, for display).</param>
/// <param name="Uptime">How long it has run (its monotonic clock).</param>
/// <param name="ShuttingDown">True once a shutdown began.</param>
/// <param name="Instances">Every instance, services in file order, instances by index.</param>
public sealed record SupervisorStatus(
    string ProjectDirectory,
    string? ConfigurationFile,
    int Pid,
    DateTimeOffset StartedAt,
    TimeSpan Uptime,
    bool ShuttingDown,
    IReadOnlyList<InstanceStatus> Instances)
{
    /// <summary>
    /// Lines of each service's output that never reached its log file — the writer could not keep up, or writing failed
    /// (a full disk) — by service name; services that lost none are absent. The services kept running either way.
    /// </summary>
    public IReadOnlyDictionary<string, long> DroppedLogLines { get; init; } = new Dictionary<string, long>();

    /// <summary>Bytes each service wrote to its log files since the supervisor started, by service name.</summary>
    public IReadOnlyDictionary<string, long> LogBytes { get; init; } = new Dictionary<string, long>();

    /// <summary>Totals since the supervisor started: restarts by reason, probe verdicts and check durations.</summary>
    public SupervisorCounts Counts { get; init; } = SupervisorCounts.Empty;
}

/// <summary>One line of a service's output as the supervisor keeps it.</summary>
/// <param name="Time">When the supervisor read it (wall clock).</param>
/// <param name="Instance">Whose output it is.</param>
/// <param name="Stream">stdout or stderr.</param>
/// <param name="Text">The line, without its line break (invalid UTF-8 replaced).</param>
public sealed record LogLine(DateTimeOffset Time, InstanceId Instance, LogStream Stream, string Text);

/// <summary>Which output stream a line came from.</summary>
public enum LogStream
{
    /// <summary>Standard output.</summary>
    Stdout,

    /// <summary>Standard error.</summary>
    Stderr,
}

/// <summary>What a reload changed, by service name.</summary>
/// <param name="Added">Services new in the file.</param>
/// <param name="Removed">Services no longer in the file.</param>
/// <param name="Restarted">Services whose definition changed.</param>
/// <param name="Scaled">Services whose replica count alone changed.</param>
/// <param name="Unchanged">Services left alone.</param>
public sealed record ReloadReport(
    IReadOnlyList<string> Added,
    IReadOnlyList<string> Removed,
    IReadOnlyList<string> Restarted,
    IReadOnlyList<string> Scaled,
    IReadOnlyList<string> Unchanged);

/// <summary>An operator command that cannot be applied; the message says why in one line.</summary>
public sealed class SupervisorCommandException : Exception
{
    /// <summary>Creates the exception with its one-line message.</summary>
    public SupervisorCommandException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its one-line message and cause.</summary>
    public SupervisorCommandException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
