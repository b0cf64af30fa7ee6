using Tether.Lab;

namespace Tether.Watch;

/// <summary>
/// Seeded simulation of the watch engine (<c>tether lab run --engine watch</c>): a <see cref="WatchWorld"/> of agents on
/// a virtual clock, and the engine under <see cref="WatchInvariants"/> after every input.
/// </summary>
public sealed class WatchSimulation : EngineSimulation<WatchInput>
{
    private readonly WatchTrace _trace;

    /// <summary>Simulates the engine as shipped.</summary>
    public WatchSimulation()
        : this(PlantedBug.None)
    {
    }

    internal WatchSimulation(PlantedBug bug) => _trace = new WatchTrace(bug);

    /// <summary>The settings every seed runs with: small tables and windows, so a few thousand inputs reach their edges.</summary>
    public static WatchOptions Settings { get; } = new()
    {
        Threshold = TimeSpan.FromMilliseconds(500),
        Capacity = 24,
        AgentBeatsPerSecond = 50,
        GlobalBeatsPerSecond = 5_000,
        RecoveryEnabled = true,
        RecoveryDebounce = TimeSpan.FromSeconds(3),
        MaxRecoveriesInFlight = 4,
        DebounceLedgerCapacity = 16,
    };

    /// <inheritdoc/>
    public override EngineTrace<WatchInput> Trace => _trace;

    /// <inheritdoc/>
    public override TraceHeader Header(ulong seed, ChaosLevel chaos) => WatchTrace.Header(Settings, seed);

    /// <inheritdoc/>
    public override ISimulationRun<WatchInput> Start(TraceHeader header, ChaosLevel chaos)
    {
        ArgumentNullException.ThrowIfNull(header);
        return new Run(new WatchWorld(header.Seed, chaos), new WatchInvariants(WatchConfiguration.Decode(header.Configuration.Span), _trace.Bug));
    }

    /// <inheritdoc/>
    public override ICheckedEngine<WatchInput> Check(TraceHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        return new WatchInvariants(WatchConfiguration.Decode(header.Configuration.Span), _trace.Bug);
    }

    /// <summary>
    /// Renumbers the host's answers in a subsequence: each freshness answer and recovery end of the full run names the
    /// pid its request was for, and goes to that pid's open request in the subsequence (an answer with none is kept as
    /// it was, and the engine ignores it, as it ignores any answer it did not ask for).
    /// </summary>
    public override Func<IReadOnlyList<WatchInput>, IReadOnlyList<WatchInput>> Repairer(TraceHeader header, IReadOnlyList<WatchInput> run)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(run);
        var pids = new Dictionary<long, uint>();
        var full = _trace.CreateWatchEngine(header);
        foreach (var input in run)
        {
            full.Handle(input);
            foreach (var e in full.Events)
            {
                if (e is WatchEvent.FreshnessCheckRequested request)
                {
                    pids[request.RecoveryId] = request.Pid;
                }
            }
        }

        return candidate =>
        {
            var engine = _trace.CreateWatchEngine(header);
            var repaired = new List<WatchInput>(candidate.Count);
            foreach (var input in candidate)
            {
                var renumbered = input switch
                {
                    WatchInput.FreshnessChecked f when pids.TryGetValue(f.RecoveryId, out var pid) && engine.Engine.PendingRecoveryOf(pid) is { } id => f with { RecoveryId = id },
                    WatchInput.RecoveryEnded r when pids.TryGetValue(r.RecoveryId, out var pid) && engine.Engine.RecoveryInFlightOf(pid) is { } id => r with { RecoveryId = id },
                    _ => input,
                };
                engine.Handle(renumbered);
                repaired.Add(renumbered);
            }

            return repaired;
        };
    }

    private sealed class Run(WatchWorld world, WatchInvariants engine) : ISimulationRun<WatchInput>
    {
        public bool TryNext(out WatchInput input)
        {
            input = world.Next();
            return true;
        }

        public string? Feed(WatchInput input, out ulong decisions)
        {
            var violation = engine.Feed(input, out decisions);
            world.Observe(engine.Events, engine.Engine.Now);
            return violation;
        }
    }
}
