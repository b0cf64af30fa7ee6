namespace Tether;

/// <summary>What this host offers for containing process trees, found without spawning anything.</summary>
public static class Containment
{
    private static readonly Lazy<ContainmentReport> Report =
        new(() => Internal.CgroupHierarchy.Report with { Limits = Internal.CgroupControllers.Support });

    /// <summary>
    /// Reports what this host offers: process groups (always, on Linux), a writable cgroup v2 hierarchy (found from
    /// <c>/proc/self/mountinfo</c> and <c>/proc/self/cgroup</c>), the warden shell that protects against owner death,
    /// and which tree limits (<see cref="ContainmentReport.Limits"/>) it can enforce, through cgroup v2 or v1.
    /// The answer is computed once per process.
    /// </summary>
    public static ContainmentReport Probe()
    {
        ProcessRunner.EnsureSupportedPlatform();
        return Report.Value;
    }
}

/// <summary>The containment this host offers.</summary>
/// <param name="CgroupAvailable">True when runs can get their own cgroup v2 leaf.</param>
/// <param name="CgroupMountPoint">Where the cgroup2 filesystem is mounted, or null.</param>
/// <param name="CgroupPath">This process's own cgroup directory, under which runs get their leaves, or null.</param>
/// <param name="CgroupUnavailableReason">Why cgroups cannot be used, or null when they can.</param>
/// <param name="WardenShell">The shell that runs the owner-death warden (<c>/bin/sh</c>), or null when missing.</param>
public sealed record ContainmentReport(
    bool CgroupAvailable,
    string? CgroupMountPoint,
    string? CgroupPath,
    string? CgroupUnavailableReason,
    string? WardenShell)
{
    /// <summary>
    /// Whether each <see cref="TreeLimit"/> can be enforced here, and through what (one entry per limit, in enum
    /// order). A run asking for one that cannot fails with <see cref="UnsupportedException"/> naming the reason.
    /// </summary>
    public System.Collections.Immutable.ImmutableArray<LimitSupport> Limits { get; init; } = [];

    /// <summary>Process groups are always available on Linux.</summary>
    public bool ProcessGroupAvailable => true;

    /// <summary>What <see cref="ContainmentMode.Auto"/> uses on this host.</summary>
    public ContainmentMechanism AutoMechanism => CgroupAvailable ? ContainmentMechanism.Cgroup : ContainmentMechanism.ProcessGroup;

    /// <summary>True when a warden can be started, so that runs die with this process even on SIGKILL.</summary>
    public bool OwnerDeathProtection => WardenShell is not null;
}
