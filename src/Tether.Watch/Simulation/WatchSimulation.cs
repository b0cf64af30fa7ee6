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
