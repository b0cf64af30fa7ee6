namespace Tether.Lab;

/// <summary>What a <see cref="Simulator{TInput}"/> runs.</summary>
public sealed record SimulationOptions
{
    /// <summary>The first seed [default: 1].</summary>
    public ulong FirstSeed { get; init; } = 1;

    /// <summary>How many seeds, from <see cref="FirstSeed"/> on [default: 100].</summary>
    public int Seeds { get; init; } = 100;

    /// <summary>Inputs per seed [default: 10,000].</summary>
    public int EventsPerSeed { get; init; } = 10_000;

    /// <summary>How hostile the world is [default: light].</summary>
    public ChaosLevel Chaos { get; init; } = ChaosLevel.Light;

    /// <summary>Where failing runs' shrunk traces are written (<c>KIND-seed-N.trace</c>); null to write none.</summary>
    public string? FailureDirectory { get; init; }

    /// <summary>Stop at the first failing seed [default: true].</summary>
    public bool StopAtFirstFailure { get; init; } = true;

    /// <summary>Seeds run at once [default: the processor count].</summary>
    public int Parallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>The most candidate replays shrinking may try per failure [default: 4,000].</summary>
    public int ShrinkBudget { get; init; } = 4_000;
}
