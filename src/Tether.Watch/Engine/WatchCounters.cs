namespace Tether.Watch;

/// <summary>
/// Running totals of everything the engine did and refused — every refusal has a counter. Read by the metrics
/// exporter; written only by the engine (single-threaded), read from anywhere (values are read atomically).
/// </summary>
public sealed class WatchCounters
{
    private readonly long[] _decodeErrors = new long[Enum.GetValues<FrameErrorKind>().Length];
    private readonly long[] _drops = new long[Enum.GetValues<DropReason>().Length];
    private readonly long[] _refusals = new long[Enum.GetValues<RecoveryRefusal>().Length];
    private readonly Dictionary<string, long> _recoveryOutcomes = new(StringComparer.Ordinal);
    private readonly Lock _outcomesLock = new();
    private long _beats;
    private long _stalls;
    private long _authenticationFailures;
    private long _namespaceConflicts;
    private long _originConflicts;
    private long _evictions;
    private long _pidReuses;
    private long _terminations;
    private long _recoveriesStarted;
    private int _agents;
    private int _recoveriesInFlight;

    /// <summary>Beats accepted.</summary>
    public long Beats => Interlocked.Read(ref _beats);

    /// <summary>Stalls detected.</summary>
    public long Stalls => Interlocked.Read(ref _stalls);

    /// <summary>Frames rejected by the spoofing check (frame pid ≠ kernel-reported pid).</summary>
    public long AuthenticationFailures => Interlocked.Read(ref _authenticationFailures);

    /// <summary>Frames from another PID namespace refused.</summary>
    public long NamespaceConflicts => Interlocked.Read(ref _namespaceConflicts);

    /// <summary>Beats refused because a weaker origin tried to speak for a known agent.</summary>
    public long OriginConflicts => Interlocked.Read(ref _originConflicts);

    /// <summary>Long-silent agents evicted to make room.</summary>
    public long Evictions => Interlocked.Read(ref _evictions);

    /// <summary>Agents whose pid was reused by another process.</summary>
    public long PidReuses => Interlocked.Read(ref _pidReuses);

    /// <summary>Agents that sent their terminal frame.</summary>
    public long Terminations => Interlocked.Read(ref _terminations);

    /// <summary>Recoveries started.</summary>
    public long RecoveriesStarted => Interlocked.Read(ref _recoveriesStarted);

    /// <summary>Agents tracked now.</summary>
    public int Agents => Volatile.Read(ref _agents);

    /// <summary>Recoveries running now.</summary>
    public int RecoveriesInFlight => Volatile.Read(ref _recoveriesInFlight);

    /// <summary>Decode errors of one kind.</summary>
    public long DecodeErrors(FrameErrorKind kind) => Interlocked.Read(ref _decodeErrors[(int)kind]);

    /// <summary>Beats dropped for one reason.</summary>
    public long Drops(DropReason reason) => Interlocked.Read(ref _drops[(int)reason]);

    /// <summary>Recoveries refused for one reason.</summary>
    public long Refusals(RecoveryRefusal reason) => Interlocked.Read(ref _refusals[(int)reason]);

    /// <summary>Recoveries ended, by <see cref="RecoveryResult.Kind"/>.</summary>
    public IReadOnlyDictionary<string, long> RecoveryOutcomes
    {
        get
        {
            lock (_outcomesLock)
            {
                return new Dictionary<string, long>(_recoveryOutcomes, StringComparer.Ordinal);
            }
        }
    }

    internal void Beat() => Interlocked.Increment(ref _beats);

    internal void Stall() => Interlocked.Increment(ref _stalls);

    internal void AuthenticationFailure() => Interlocked.Increment(ref _authenticationFailures);

    internal void NamespaceConflict() => Interlocked.Increment(ref _namespaceConflicts);

    internal void OriginConflict() => Interlocked.Increment(ref _originConflicts);

    internal void Eviction() => Interlocked.Increment(ref _evictions);

    internal void PidReuse() => Interlocked.Increment(ref _pidReuses);

    internal void Termination() => Interlocked.Increment(ref _terminations);

    internal void RecoveryStarted() => Interlocked.Increment(ref _recoveriesStarted);

    internal void DecodeError(FrameErrorKind kind) => Interlocked.Increment(ref _decodeErrors[(int)kind]);

    internal void Drop(DropReason reason) => Interlocked.Increment(ref _drops[(int)reason]);

    internal void Refusal(RecoveryRefusal reason) => Interlocked.Increment(ref _refusals[(int)reason]);

    internal void RecoveryEnded(string kind)
    {
        lock (_outcomesLock)
        {
            _recoveryOutcomes[kind] = _recoveryOutcomes.GetValueOrDefault(kind) + 1;
        }
    }

    internal void SetAgents(int count) => Volatile.Write(ref _agents, count);

    internal void SetRecoveriesInFlight(int count) => Volatile.Write(ref _recoveriesInFlight, count);
}
