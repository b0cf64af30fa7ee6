namespace Tether.Supervisor;

/// <summary>
/// Totals a running supervisor keeps for its metrics: restarts by service and reason, probe verdicts by service, role
/// and result, and the time polled checks took. Immutable; <see cref="Supervisor.Status"/> hands out a fresh one.
/// </summary>
/// <param name="Restarts">Restarts scheduled, by (service, reason): <c>exit</c>, <c>signal</c>, <c>out_of_memory</c>, <c>liveness_failed</c>, <c>start_failed</c>.</param>
/// <param name="ProbeResults">Probe verdicts, by (service, <c>readiness</c> or <c>liveness</c>, <c>pass</c> or <c>fail</c>).</param>
/// <param name="ProbeDurations">Polled checks answered, by (service, role): how many and their total duration.</param>
public sealed record SupervisorCounts(
    IReadOnlyDictionary<(string Service, string Reason), long> Restarts,
    IReadOnlyDictionary<(string Service, string Role, string Result), long> ProbeResults,
    IReadOnlyDictionary<(string Service, string Role), (long Count, TimeSpan Total)> ProbeDurations)
{
    /// <summary>Nothing counted yet.</summary>
    public static SupervisorCounts Empty { get; } = new(
        new Dictionary<(string, string), long>(),
        new Dictionary<(string, string, string), long>(),
        new Dictionary<(string, string), (long, TimeSpan)>());
}
