namespace Tether.Watch;

/// <summary>The engine's settings. Every table and rate has a bound; see each property for what happens at it.</summary>
public sealed record WatchOptions
{
    /// <summary>The largest agent table allowed.</summary>
    public const int MaxCapacity = 65_536;

    /// <summary>How long an agent may be silent before it is stalled [default: 5s].</summary>
    public TimeSpan Threshold { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How many agents are tracked at once [default: 256, up to 65,536]. When full, a new agent evicts only an agent silent for <see cref="EvictAfter"/>; otherwise it is refused.</summary>
    public int Capacity { get; init; } = 256;

    /// <summary>How long an agent must be silent before a newcomer may evict it from a full table [default: 4 × <see cref="Threshold"/>].</summary>
    public TimeSpan? EvictAfter { get; init; }

    /// <summary>Beats per second one agent may send (its burst too); more are dropped [default: 50].</summary>
    public int AgentBeatsPerSecond { get; init; } = 50;

    /// <summary>Datagrams per second the watcher accepts in all (its burst too); more are dropped before decoding [default: 200,000].</summary>
    public int GlobalBeatsPerSecond { get; init; } = 200_000;

    /// <summary>Accept agents from another PID namespace (keyed by their kernel-reported pid) instead of refusing them [default: false].</summary>
    public bool AllowCrossNamespace { get; init; }

    /// <summary>Whether a stall leads to a recovery (a recovery command is configured) [default: false].</summary>
    public bool RecoveryEnabled { get; init; }

    /// <summary>After a recovery for a process (pid and start time), no other for the same process within this window [default: 60s].</summary>
    public TimeSpan RecoveryDebounce { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How many recoveries may run at once; beyond it a recovery is refused [default: 16].</summary>
    public int MaxRecoveriesInFlight { get; init; } = 16;

    /// <summary>How many processes the debounce ledger remembers; when full, only an entry whose window passed is evicted, otherwise the recovery is refused (fail closed) [default: 1024].</summary>
    public int DebounceLedgerCapacity { get; init; } = 1024;

    // Saturates: the threshold is compared, never armed on a timer, so any length is valid, and 4 × a huge one must not overflow.
    internal TimeSpan EffectiveEvictAfter => EvictAfter ?? (Threshold > TimeSpan.MaxValue / 4 ? TimeSpan.MaxValue : Threshold * 4);

    internal void Validate()
    {
        if (Threshold <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Threshold), Threshold, "The stall threshold must be positive.");
        }

        if (Capacity is < 1 or > MaxCapacity)
        {
            throw new ArgumentOutOfRangeException(nameof(Capacity), Capacity, $"The agent capacity must be from 1 to {MaxCapacity}.");
        }

        if (EffectiveEvictAfter < TimeSpan.Zero || RecoveryDebounce < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(EvictAfter), "Eviction age and debounce window cannot be negative.");
        }

        if (AgentBeatsPerSecond < 1 || GlobalBeatsPerSecond < 1 || MaxRecoveriesInFlight < 1 || DebounceLedgerCapacity < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(AgentBeatsPerSecond), "Rates, the in-flight limit and the ledger capacity must be at least 1.");
        }
    }
}
