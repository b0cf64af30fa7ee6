namespace Tether.Lab;

/// <summary>
/// The engine-specific parts of simulation: the configuration a seed runs with, the world that generates a seeded
/// workload, and the engine under its invariants. The <see cref="Simulator{TInput}"/> is generic over it.
/// </summary>
/// <typeparam name="TInput">The engine's input type.</typeparam>
public abstract class EngineSimulation<TInput>
{
    /// <summary>The engine's trace support (codec, replay).</summary>
    public abstract EngineTrace<TInput> Trace { get; }

    /// <summary>The header (configuration and seed) of the run for <paramref name="seed"/>.</summary>
    public abstract TraceHeader Header(ulong seed, ChaosLevel chaos);

    /// <summary>Starts the seeded run: a world and the engine under checks, configured by <paramref name="header"/>.</summary>
    public abstract ISimulationRun<TInput> Start(TraceHeader header, ChaosLevel chaos);

    /// <summary>A fresh engine under the same invariants with no world: shrinking replays candidate inputs through it.</summary>
    public abstract ICheckedEngine<TInput> Check(TraceHeader header);

    /// <summary>
    /// Makes subsequences of <paramref name="run"/> consistent again before they are checked — for an engine whose
    /// inputs answer its own requests by an id it assigned, removing an earlier request shifts every later id, so the
    /// answers must be renumbered. The default leaves a candidate as it is.
    /// </summary>
    public virtual Func<IReadOnlyList<TInput>, IReadOnlyList<TInput>> Repairer(TraceHeader header, IReadOnlyList<TInput> run) => candidate => candidate;
}
