using Tether.Watch.Engine;

namespace Tether.Watch;

/// <summary>
/// The watcher's decisions as a deterministic state machine. Inputs — received datagrams with their origin facts,
/// clock ticks, freshness answers, recovery exits — enter through <see cref="Handle"/>, and events and requests to the
/// host come out, in order. The engine never reads a clock, a random source or the OS: time is the input's
/// <see cref="WatchInput.At"/> (never allowed to run backwards), and what only the OS knows arrives as facts. So a
/// recording of the inputs reproduces every decision. Not thread-safe: one caller feeds it.
/// </summary>
/// <remarks>
/// <para><b>Beats</b> are checked in this order: the watcher-wide rate; decoding; the sender's namespace and the
/// spoofing check (a kernel-attested frame's pid must be the sender's pid); pid reuse (a new start time means a new
/// agent); origin strength (a weaker origin never speaks for a stronger agent); nonce order; the agent's rate; room in
/// the table (a newcomer evicts only an agent silent for <see cref="WatchOptions.EvictAfter"/>). Every refusal is an
/// event and a counter.</para>
/// <para><b>Stalls</b>: on a tick, an agent silent for at least the threshold is stalled — once per silence run; any
/// accepted beat re-arms it. With recovery enabled, the origin gates run first (cross-namespace, network-unverified,
/// socket-mode-only), then the host is asked to re-check the pid's start time; on its answer the engine skips an agent
/// that resumed or whose pid was recycled, then applies the debounce (per pid and start time), the in-flight check, the
/// in-flight capacity and the debounce ledger's capacity (fail closed). Refusals never use up the debounce window.</para>
/// </remarks>
public sealed class WatchEngine
{
    private readonly WatchOptions _options;
    private readonly Dictionary<uint, Agent> _agents = [];
    private readonly Dictionary<long, PendingRecovery> _pending = [];
    private readonly Dictionary<long, uint> _inFlight = [];
    private readonly Dictionary<(uint Pid, ulong? StartTime), TimeSpan> _ledger = [];
    private TokenBucket _global;
    private TimeSpan _now;
    private TimeSpan? _nextDeadline;
    private long _nextRecoveryId = 1;

    /// <summary>Creates an engine with <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public WatchEngine(WatchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _global = TokenBucket.Full(options.GlobalBeatsPerSecond, TimeSpan.Zero);
    }

    /// <summary>The settings.</summary>
    public WatchOptions Options => _options;

    /// <summary>
    /// Test-only: a known bug planted on purpose, so specs can show that the simulator finds and shrinks it. Never set
    /// outside the lab's specs; <see cref="PlantedBug.None"/> is the engine as shipped.
    /// </summary>
    internal PlantedBug PlantedBug { get; init; }

    /// <summary>Entries in the debounce ledger now (bounded by <see cref="WatchOptions.DebounceLedgerCapacity"/>).</summary>
    internal int DebounceLedgerCount => _ledger.Count;

    /// <summary>Recoveries waiting for their freshness answer.</summary>
    internal int PendingRecoveryCount => _pending.Count;

    /// <summary>The id of the recovery of <paramref name="pid"/> waiting for its freshness answer, if any (lowest first).</summary>
    internal long? PendingRecoveryOf(uint pid)
    {
        long? found = null;
        foreach (var (id, pending) in _pending)
        {
            if (pending.Pid == pid && (found is null || id < found))
            {
                found = id;
            }
        }

        return found;
    }

    /// <summary>The id of the running recovery of <paramref name="pid"/>, if any.</summary>
    internal long? RecoveryInFlightOf(uint pid)
    {
        foreach (var (id, running) in _inFlight)
        {
            if (running == pid)
            {
                return id;
            }
        }

        return null;
    }

    /// <summary>Totals of everything done and refused.</summary>
    public WatchCounters Counters { get; } = new();

    /// <summary>The engine's time: the latest input time seen (it never goes backwards).</summary>
    public TimeSpan Now => _now;

    /// <summary>
    /// The earliest engine time at which a <see cref="WatchInput.Tick"/> could find a stall, or null when none could
    /// (no agent is tracked, or every one is already stalled until it beats again). A host sleeps until then rather
    /// than ticking on a period: beats, freshness answers and recovery ends need no tick, and rates are refilled on
    /// the time of the datagram that asks. It may be earlier than needed — an agent that beat since moved its own
    /// deadline on, an agent that left took its deadline with it — and then a tick at that time finds nothing and
    /// moves it to the real next one; it is never later than a stall.
    /// </summary>
    public TimeSpan? NextDeadline => _nextDeadline;

    /// <summary>Agents tracked now.</summary>
    public int AgentCount => _agents.Count;

    /// <summary>The tracked agents, for status displays: pid, status, origin, time since the last beat, stalled.</summary>
    public IReadOnlyList<AgentSnapshot> Agents() =>
        [.. _agents.Values.OrderBy(a => a.Pid).Select(a => new AgentSnapshot(a.Pid, a.LastStatus, a.Origin, _now - a.LastBeatAt, a.Stalled, a.LastNonce))];

    /// <summary>Feeds one input; the events it causes are added to <paramref name="events"/> in order.</summary>
    public void Handle(WatchInput input, ICollection<WatchEvent> events)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(events);
        if (input.At > _now)
        {
            _now = input.At; // a clock that jumps back is held where it was
        }

        switch (input)
        {
            case WatchInput.Datagram datagram:
                OnDatagram(datagram.Bytes.Span, datagram.Facts, events);
                break;
            case WatchInput.Tick:
                OnTick(events);
                break;
            case WatchInput.FreshnessChecked freshness:
                OnFreshness(freshness, events);
                break;
            case WatchInput.RecoveryEnded ended:
                OnRecoveryEnded(ended, events);
                break;
        }

        Counters.SetAgents(_agents.Count);
        Counters.SetRecoveriesInFlight(_inFlight.Count);
    }

    private void OnDatagram(ReadOnlySpan<byte> bytes, OriginFacts facts, ICollection<WatchEvent> events)
    {
        if (!_global.TryTake(_options.GlobalBeatsPerSecond, _now))
        {
            Counters.Drop(DropReason.GlobalRateLimited);
            events.Add(new WatchEvent.BeatDropped(_now, bytes.Length >= 8 ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]) : 0, DropReason.GlobalRateLimited));
            return;
        }

        if (!Frame.TryDecode(bytes, out var frame, out var error))
        {
            Counters.DecodeError(error.Kind);
            events.Add(new WatchEvent.DecodeFailed(_now, error, facts.Origin, facts.Peer));
            return;
        }

        var key = frame.Pid;
        if (facts.Origin == Origin.KernelAttested && facts.SenderPid is { } sender)
        {
            if (facts.SameNamespace == false)
            {
                if (!_options.AllowCrossNamespace)
                {
                    Counters.NamespaceConflict();
                    events.Add(new WatchEvent.NamespaceConflict(_now, frame.Pid, sender));
                    return;
                }

                // The agent's own pid means nothing here; the kernel's pid for it does.
                key = (uint)sender;
            }
            else if (frame.Pid != (uint)sender)
            {
                Counters.AuthenticationFailure();
                events.Add(new WatchEvent.AuthenticationFailed(_now, frame.Pid, sender));
                return;
            }
        }

        var isNew = false;
        if (_agents.TryGetValue(key, out var agent))
        {
            if (facts.StartTime is { } start && agent.StartTime is { } known && start != known)
            {
                // Same pid, another process: the old agent is gone; this one starts fresh.
                Counters.PidReuse();
                events.Add(new WatchEvent.PidReused(_now, key));
                _agents.Remove(key);
                agent = null;
            }
            else if (facts.Origin < agent.Origin)
            {
                Counters.OriginConflict();
                events.Add(new WatchEvent.OriginConflict(_now, key, agent.Origin, facts.Origin));
                return;
            }
            else if (frame.Nonce <= agent.LastNonce)
            {
                Counters.Drop(DropReason.OutOfOrder);
                events.Add(new WatchEvent.BeatDropped(_now, key, DropReason.OutOfOrder));
                return;
            }
            else if (!agent.Rate.TryTake(_options.AgentBeatsPerSecond, _now))
            {
                Counters.Drop(DropReason.AgentRateLimited);
                events.Add(new WatchEvent.BeatDropped(_now, key, DropReason.AgentRateLimited));
                return;
            }
        }

        if (agent is null)
        {
            if (_agents.Count >= _options.Capacity && !TryEvict(events))
            {
                Counters.Drop(DropReason.CapacityFull);
                events.Add(new WatchEvent.BeatDropped(_now, key, DropReason.CapacityFull));
                return;
            }

            agent = new Agent(key, facts.StartTime, TokenBucket.Full(_options.AgentBeatsPerSecond, _now));
            _ = agent.Rate.TryTake(_options.AgentBeatsPerSecond, _now);
            _agents[key] = agent;
            isNew = true;
        }

        agent.Origin = facts.Origin > agent.Origin || isNew ? facts.Origin : agent.Origin;
        agent.SameNamespace = facts.SameNamespace;
        agent.StartTime ??= facts.StartTime;
        agent.LastNonce = frame.Nonce;
        agent.LastStatus = frame.Status;
        agent.LastBeatAt = _now;
        agent.Stalled = false; // any accepted beat re-arms the stall
        EarliestDeadline(StallDeadline(agent));
        Counters.Beat();
        events.Add(new WatchEvent.BeatAccepted(_now, key, frame.Status, frame.Nonce, frame.Payload, agent.Origin, isNew));
        if (frame.IsTerminated)
        {
            _agents.Remove(key);
            Counters.Termination();
            events.Add(new WatchEvent.AgentTerminated(_now, key));
        }
    }

    private bool TryEvict(ICollection<WatchEvent> events)
    {
        Agent? oldest = null;
        foreach (var candidate in _agents.Values)
        {
            if (_now - candidate.LastBeatAt >= _options.EffectiveEvictAfter && (oldest is null || candidate.LastBeatAt < oldest.LastBeatAt || (candidate.LastBeatAt == oldest.LastBeatAt && candidate.Pid < oldest.Pid)))
            {
                oldest = candidate;
            }
        }

        if (oldest is null)
        {
            return false;
        }

        _agents.Remove(oldest.Pid);
        Counters.Eviction();
        events.Add(new WatchEvent.AgentEvicted(_now, oldest.Pid, _now - oldest.LastBeatAt));
        return true;
    }

    private void OnTick(ICollection<WatchEvent> events)
    {
        List<Agent>? stalled = null;
        _nextDeadline = null; // worked out again from every agent this tick leaves armed
        foreach (var agent in _agents.Values)
        {
            if (agent.Stalled)
            {
                continue;
            }

            if (_now - agent.LastBeatAt >= _options.Threshold)
            {
                (stalled ??= []).Add(agent);
            }
            else
            {
                EarliestDeadline(StallDeadline(agent));
            }
        }

        if (stalled is null)
        {
            return;
        }

        // In pid order, so the decisions do not depend on the table's layout.
        stalled.Sort((a, b) => a.Pid.CompareTo(b.Pid));
        foreach (var agent in stalled)
        {
            agent.Stalled = true;
            agent.StalledAt = _now;
            Counters.Stall();
            events.Add(new WatchEvent.StallDetected(_now, agent.Pid, _now - agent.LastBeatAt, agent.LastStatus, agent.Origin));
            if (!_options.RecoveryEnabled)
            {
                continue;
            }

            RecoveryRefusal? refusal = agent.SameNamespace == false && !_options.AllowCrossNamespace ? RecoveryRefusal.CrossNamespace
                : agent.Origin == Origin.NetworkUnverified ? RecoveryRefusal.NetworkUnverified
                : agent.Origin == Origin.SocketModeOnly ? RecoveryRefusal.SocketModeOnly
                : null;
            if (refusal is { } reason)
            {
                Refuse(agent.Pid, reason, events);
                continue;
            }

            var id = _nextRecoveryId++;
            _pending[id] = new PendingRecovery(agent.Pid, agent.StartTime, _now);
            events.Add(new WatchEvent.FreshnessCheckRequested(_now, id, agent.Pid));
        }
    }

    /// <summary>When <paramref name="agent"/> stalls if it stays silent (saturating: a threshold may be huge).</summary>
    private TimeSpan StallDeadline(Agent agent) =>
        _options.Threshold >= TimeSpan.MaxValue - agent.LastBeatAt ? TimeSpan.MaxValue : agent.LastBeatAt + _options.Threshold;

    private void EarliestDeadline(TimeSpan deadline)
    {
        if (_nextDeadline is not { } current || deadline < current)
        {
            _nextDeadline = deadline;
        }
    }

    private void OnFreshness(WatchInput.FreshnessChecked answer, ICollection<WatchEvent> events)
    {
        if (!_pending.Remove(answer.RecoveryId, out var pending))
        {
            return; // not ours, or answered twice
        }

        var pid = pending.Pid;
        if (!_agents.TryGetValue(pid, out var agent))
        {
            Refuse(pid, RecoveryRefusal.AgentGone, events);
            return;
        }

        if (PlantedBug != PlantedBug.MissingRecheck && (!agent.Stalled || agent.LastBeatAt > pending.StalledAt))
        {
            Refuse(pid, RecoveryRefusal.Resumed, events);
            return;
        }

        if (answer.StartTime is null)
        {
            // No process has the pid any more: the agent died (killed, crashed) without saying goodbye. Calling that
            // pid_recycled sent people looking for a pid reuse that never happened (issue 11).
            Refuse(pid, RecoveryRefusal.AgentGone, events);
            return;
        }

        if (pending.StartTime is { } expected && answer.StartTime != expected)
        {
            Refuse(pid, RecoveryRefusal.PidRecycled, events);
            return;
        }

        var process = (pid, pending.StartTime ?? answer.StartTime);
        var window = PlantedBug == PlantedBug.DebounceOffByOne ? _options.RecoveryDebounce - TimeSpan.FromSeconds(1) : _options.RecoveryDebounce;
        if (_ledger.TryGetValue(process, out var last) && _now - last < window)
        {
            Refuse(pid, RecoveryRefusal.Debounced, events);
            return;
        }

        if (_inFlight.ContainsValue(pid))
        {
            Refuse(pid, RecoveryRefusal.InFlight, events);
            return;
        }

        if (_inFlight.Count >= _options.MaxRecoveriesInFlight)
        {
            Refuse(pid, RecoveryRefusal.InFlightFull, events);
            return;
        }

        if (!_ledger.ContainsKey(process) && _ledger.Count >= _options.DebounceLedgerCapacity && !TryEvictLedger())
        {
            Refuse(pid, RecoveryRefusal.DebounceLedgerFull, events);
            return;
        }

        _ledger[process] = _now;
        _inFlight[answer.RecoveryId] = pid;
        Counters.RecoveryStarted();
        events.Add(new WatchEvent.RecoveryStarted(_now, answer.RecoveryId, pid, process.Item2));
    }

    private bool TryEvictLedger()
    {
        (uint, ulong?)? oldest = null;
        var oldestAt = TimeSpan.MaxValue;
        foreach (var (process, at) in _ledger)
        {
            if (_now - at >= _options.RecoveryDebounce && at < oldestAt)
            {
                oldest = process;
                oldestAt = at;
            }
        }

        return oldest is { } key && _ledger.Remove(key);
    }

    private void OnRecoveryEnded(WatchInput.RecoveryEnded ended, ICollection<WatchEvent> events)
    {
        if (!_inFlight.Remove(ended.RecoveryId, out var pid))
        {
            return;
        }

        Counters.RecoveryEnded(ended.Result.Kind);
        events.Add(new WatchEvent.RecoveryCompleted(_now, ended.RecoveryId, pid, ended.Result));
    }

    private void Refuse(uint pid, RecoveryRefusal reason, ICollection<WatchEvent> events)
    {
        Counters.Refusal(reason);
        events.Add(new WatchEvent.RecoveryRefused(_now, pid, reason));
    }

    private sealed class Agent(uint pid, ulong? startTime, TokenBucket rate)
    {
        public uint Pid { get; } = pid;

        public ulong? StartTime { get; set; } = startTime;

        public TokenBucket Rate = rate;

        public Origin Origin { get; set; }

        public bool? SameNamespace { get; set; }

        public ulong LastNonce { get; set; }

        public BeatStatus LastStatus { get; set; }

        public TimeSpan LastBeatAt { get; set; }

        public bool Stalled { get; set; }

        public TimeSpan StalledAt { get; set; }
    }

    private sealed record PendingRecovery(uint Pid, ulong? StartTime, TimeSpan StalledAt);
}

/// <summary>An agent as the engine sees it.</summary>
/// <param name="Pid">Its pid (the kernel's, for a cross-namespace agent).</param>
/// <param name="Status">The status of its last beat.</param>
/// <param name="Origin">How its beats arrive.</param>
/// <param name="Silence">Time since its last accepted beat.</param>
/// <param name="Stalled">True once it was reported stalled, until it beats again.</param>
/// <param name="LastNonce">Its last accepted nonce.</param>
public sealed record AgentSnapshot(uint Pid, BeatStatus Status, Origin Origin, TimeSpan Silence, bool Stalled, ulong LastNonce);
