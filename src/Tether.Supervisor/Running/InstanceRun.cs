namespace Tether.Supervisor.Running;

/// <summary>
/// One process the supervisor started for an instance (a <see cref="SupervisorDecision.StartInstance"/>): its run id,
/// the definition it was started from, and, once it exists, the contained <see cref="RunningProcess"/>.
/// </summary>
internal sealed class InstanceRun(SupervisorDecision.StartInstance start)
{
    /// <summary>The instance.</summary>
    public InstanceId Instance { get; } = start.Instance;

    /// <summary>The engine's id for this process of the instance.</summary>
    public long RunId { get; } = start.RunId;

    /// <summary>The definition it was started from.</summary>
    public ServiceDefinition Service { get; } = start.Service;

    /// <summary>The live process, or null until it started.</summary>
    public RunningProcess? Process { get; set; }

    /// <summary>Watches its output for the log probes' patterns, or null when it has none.</summary>
    public Probes.LogPatternWatch? LogPatterns { get; set; }
}
