namespace Tether.Supervisor;

/// <summary>Resource limits of one instance's tree (<c>limits:</c>), enforced through its cgroup or refused at start.</summary>
/// <param name="MemoryBytes">Most memory the tree may use, or null.</param>
/// <param name="Cpus">CPU quota in cores (0.5 = half a core), or null.</param>
/// <param name="Pids">Most processes in the tree, or null.</param>
public sealed record ServiceLimits(long? MemoryBytes = null, double? Cpus = null, int? Pids = null)
{
    /// <summary>No limits.</summary>
    public static ServiceLimits None { get; } = new();

    /// <summary>True when no limit is set.</summary>
    public bool IsEmpty => MemoryBytes is null && Cpus is null && Pids is null;
}
