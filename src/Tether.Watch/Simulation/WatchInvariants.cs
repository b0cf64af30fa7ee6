using Tether.Lab;

namespace Tether.Watch;

/// <summary>
/// The watch engine under invariant checks, after every input: a recovery never runs for a live agent (one accepted
/// beat within the threshold of the recovery), never twice for one process within the debounce window, at most once
/// per stall, and the agent table, the in-flight table and the debounce ledger stay within their bounds.
/// </summary>
internal sealed class WatchInvariants : ICheckedEngine<WatchInput>
{
    private readonly WatchEngine _engine;
    private readonly List<WatchEvent> _events = [];
    private readonly Dictionary<uint, TimeSpan> _lastBeat = [];
    private readonly Dictionary<(uint, ulong?), TimeSpan> _lastRecovery = [];
    private readonly Dictionary<uint, int> _recoveriesThisStall = [];

    public WatchInvariants(WatchOptions options, PlantedBug bug) => _engine = new WatchEngine(options) { PlantedBug = bug };

    public WatchEngine Engine => _engine;

    /// <summary>The events of the last input.</summary>
    public IReadOnlyList<WatchEvent> Events => _events;

    public string? Feed(WatchInput input, out ulong decisions)
    {
        _events.Clear();
        _engine.Handle(input, _events);
        decisions = WatchDecisions.Hash(_events);
        var options = _engine.Options;
        foreach (var e in _events)
        {
            switch (e)
            {
                case WatchEvent.BeatAccepted a:
                    _lastBeat[a.Pid] = a.At;
                    break;
                case WatchEvent.StallDetected s:
                    _recoveriesThisStall[s.Pid] = 0;
                    break;
                case WatchEvent.RecoveryStarted r:
                    if (_lastBeat.TryGetValue(r.Pid, out var beat) && r.At - beat < options.Threshold)
                    {
                        return $"recovered a live agent: pid {r.Pid} beat {WatchTrace.Ms(r.At - beat)}ms before recovery {r.RecoveryId} (threshold {WatchTrace.Ms(options.Threshold)}ms)";
                    }

                    if (_lastRecovery.TryGetValue((r.Pid, r.StartTime), out var previous) && r.At - previous < options.RecoveryDebounce)
                    {
                        return $"debounce violated: pid {r.Pid} recovered again {WatchTrace.Ms(r.At - previous)}ms after the last recovery (window {WatchTrace.Ms(options.RecoveryDebounce)}ms)";
                    }

                    if (!_recoveriesThisStall.TryGetValue(r.Pid, out var count))
                    {
                        return $"a recovery without a stall: pid {r.Pid}, recovery {r.RecoveryId}";
                    }

                    if (count >= 1)
                    {
                        return $"more than one recovery for one stall: pid {r.Pid}, recovery {r.RecoveryId}";
                    }

                    _recoveriesThisStall[r.Pid] = count + 1;
                    _lastRecovery[(r.Pid, r.StartTime)] = r.At;
                    break;
            }
        }

        if (_engine.AgentCount > options.Capacity)
        {
            return $"agent table over its bound: {_engine.AgentCount} > {options.Capacity}";
        }

        if (_engine.Counters.RecoveriesInFlight > options.MaxRecoveriesInFlight)
        {
            return $"in-flight table over its bound: {_engine.Counters.RecoveriesInFlight} > {options.MaxRecoveriesInFlight}";
        }

        if (_engine.DebounceLedgerCount > options.DebounceLedgerCapacity)
        {
            return $"debounce ledger over its bound: {_engine.DebounceLedgerCount} > {options.DebounceLedgerCapacity}";
        }

        // Pending freshness checks are bounded by the host answering each one (the world always does), not by the
        // engine: a trace with the answers removed grows that table, so it is not an invariant of the engine alone.
        return null;
    }
}
