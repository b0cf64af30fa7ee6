namespace Tether.Supervisor;

/// <summary>Known bugs the engine can be built with, test-only, so specs prove the simulator finds bugs of these kinds.</summary>
internal enum SupervisorPlantedBug
{
    /// <summary>The engine as shipped.</summary>
    None,

    /// <summary>A restart does not wait for the dependencies again: a dependent restarts while its dependency is down.</summary>
    DependencyIgnoredOnRestart,
}
