namespace Tether.Supervisor;

/// <summary>
/// Keeps <see cref="SupervisorCounts"/> from what passes through the supervisor's loop: every RestartScheduled
/// decision, every ProbeCompleted input, and the time between a RunProbe decision and its answer (both on the engine's
/// clock, so a check's duration includes the wait for the loop, as an operator experiences it). Written by the loop,
/// read by any thread through <see cref="Snapshot"/>. Bounded: a check never answered (its run ended first) is
/// forgotten once more than <see cref="MaxPending"/> are waiting.
/// </summary>
internal sealed class SupervisorCounter
{
    internal const int MaxPending = 1024;

    private readonly Lock _gate = new();
    private readonly Dictionary<(string, string), long> _restarts = [];
    private readonly Dictionary<(string, string, string), long> _results = [];
    private readonly Dictionary<(string, string), (long, TimeSpan)> _durations = [];
    private readonly Dictionary<long, TimeSpan> _pending = [];

    /// <summary>Counts what <paramref name="input"/> says of a probe.</summary>
    public void Observe(SupervisorInput input)
    {
        if (input is not SupervisorInput.ProbeCompleted probe)
        {
            return;
        }

        var role = probe.Role == ProbeRole.Readiness ? "readiness" : "liveness";
        lock (_gate)
        {
            Add(_results, (probe.Instance.Service, role, probe.Passed ? "pass" : "fail"));
            if (probe.ProbeId != 0 && _pending.Remove(probe.ProbeId, out var asked))
            {
                var key = (probe.Instance.Service, role);
                var (count, total) = _durations.GetValueOrDefault(key);
                _durations[key] = (count + 1, total + (probe.At - asked));
            }
        }
    }

    /// <summary>Counts a restart, and notes when a check was asked for.</summary>
    public void Observe(SupervisorDecision decision)
    {
        switch (decision)
        {
            case SupervisorDecision.RestartScheduled restart:
                lock (_gate)
                {
                    Add(_restarts, (restart.Instance.Service, SupervisorTelemetry.RestartReason(restart.Reason)));
                }

                break;
            case SupervisorDecision.RunProbe run:
                lock (_gate)
                {
                    if (_pending.Count >= MaxPending)
                    {
                        _pending.Clear();
                    }

                    _pending[run.ProbeId] = run.At;
                }

                break;
        }
    }

    /// <summary>The totals now.</summary>
    public SupervisorCounts Snapshot()
    {
        lock (_gate)
        {
            return new SupervisorCounts(new Dictionary<(string, string), long>(_restarts), new Dictionary<(string, string, string), long>(_results), new Dictionary<(string, string), (long, TimeSpan)>(_durations));
        }
    }

    private static void Add<TKey>(Dictionary<TKey, long> table, TKey key)
        where TKey : notnull => table[key] = table.GetValueOrDefault(key) + 1;
}
