namespace Tether;

/// <summary>The classic per-process resource limits (<c>setrlimit(2)</c>) a child can be started with.</summary>
public enum ResourceLimit
{
    /// <summary><c>RLIMIT_CPU</c>: CPU seconds; the kernel sends SIGXCPU at the limit.</summary>
    CpuSeconds = 0,

    /// <summary><c>RLIMIT_CORE</c>: the largest core file, in bytes (0: none).</summary>
    CoreFileSize = 4,

    /// <summary>
    /// <c>RLIMIT_NPROC</c>: processes of the child's real user id, counted across the whole system. Not enforced for
    /// root (which has <c>CAP_SYS_RESOURCE</c>); use a cgroup pids limit to bound one run's tree.
    /// </summary>
    Processes = 6,

    /// <summary><c>RLIMIT_NOFILE</c>: one more than the highest file descriptor number the child can open.</summary>
    OpenFiles = 7,
}
