namespace Tether;

/// <summary>Whether this host can enforce one <see cref="TreeLimit"/>, and how.</summary>
/// <param name="Limit">The limit.</param>
/// <param name="Source">Where it is enforced (e.g. <c>cgroup v1 memory at /sys/fs/cgroup/memory/…</c>), or null when it cannot be.</param>
/// <param name="UnavailableReason">Why it cannot be enforced, or null when it can.</param>
public sealed record LimitSupport(TreeLimit Limit, string? Source, string? UnavailableReason)
{
    /// <summary>True when a run asking for this limit gets it.</summary>
    public bool Enforceable => Source is not null;
}
