namespace Tether;

/// <summary>A limit on a whole run's process tree, enforced through the run's cgroup.</summary>
public enum TreeLimit
{
    /// <summary>Memory (<c>memory.max</c>, or <c>memory.limit_in_bytes</c> on cgroup v1); the kernel OOM-kills inside the tree at the limit.</summary>
    Memory,

    /// <summary>CPU bandwidth in CPUs (<c>cpu.max</c>, or <c>cpu.cfs_quota_us</c> on cgroup v1); the tree is throttled, not killed.</summary>
    Cpu,

    /// <summary>Live processes and threads in the tree (<c>pids.max</c>); <c>fork</c> fails with EAGAIN at the limit.</summary>
    Processes,
}
