using Tether.Lab;
using Tether.Supervisor;
using Tether.Watch;

namespace Tether.Cli.Commands;

/// <summary>The engines the simulator can run, by kind.</summary>
internal static class LabSimulations
{
    /// <summary>The kinds known, for messages.</summary>
    public const string Known = "watch or supervisor";

    /// <summary>Runs the simulation of <paramref name="engine"/>, or returns null when the kind is unknown.</summary>
    public static SimulationReport? Run(string engine, SimulationOptions options, CancellationToken cancellationToken) => engine switch
    {
        WatchTrace.EngineKind => new Simulator<WatchInput>(new WatchSimulation()).Run(options, cancellationToken),
        SupervisorTrace.EngineKind => new Simulator<SupervisorInput>(new SupervisorSimulation()).Run(options, cancellationToken),
        _ => null,
    };
}
