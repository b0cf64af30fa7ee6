using System.Collections.Immutable;

namespace Tether;

/// <summary>How the child process is started: its credentials, session, priorities and resource limits.</summary>
public sealed partial class Command
{
    /// <summary>Who the child runs as, or null for the same user as this process.</summary>
    public ProcessUser? User { get; private set; }

    /// <summary>The child's file mode creation mask, or null to inherit this process's.</summary>
    public int? Umask { get; private set; }

    /// <summary>True when the child starts a new session (<c>setsid</c>), detached from this process's terminal.</summary>
    public bool NewSession { get; private set; }

    /// <summary>The child's niceness (-20 to 19), or null to inherit this process's.</summary>
    public int? Niceness { get; private set; }

    /// <summary>The child's I/O priority, or null to inherit this process's.</summary>
    public IoPriority? IoPriority { get; private set; }

    /// <summary>Resource limits the child starts with (soft and hard set to the same value).</summary>
    public ImmutableSortedDictionary<ResourceLimit, ulong> ResourceLimits { get; private set; } = ImmutableSortedDictionary<ResourceLimit, ulong>.Empty;

    /// <summary>The size of the pseudo-terminal the child runs in, or null when its stdio are pipes.</summary>
    public TerminalSize? PseudoTerminal { get; private set; }

    /// <summary>The most memory, in bytes, the run's whole tree may use, or null for no limit. For a pipeline, the last stage's applies.</summary>
    public long? MemoryLimitBytes { get; private set; }

    /// <summary>
    /// Whether the run's whole tree is accounted in a memory group even without a limit, so that
    /// <see cref="ProcessResult{TOutput}.PeakMemoryBytes"/> is the tree's peak. For a pipeline, the last stage's applies.
    /// </summary>
    public bool MemoryAccounting { get; private set; }

    /// <summary>The CPU bandwidth, in CPUs, the run's whole tree may use, or null for no limit. For a pipeline, the last stage's applies.</summary>
    public double? CpuLimit { get; private set; }

    /// <summary>The most processes and threads the run's whole tree may have alive, or null for no limit. For a pipeline, the last stage's applies.</summary>
    public int? ProcessCountLimit { get; private set; }

    /// <summary>
    /// Runs the child as <paramref name="user"/>. Needs root: a run asked as anyone else fails with
    /// <see cref="SpawnFailedException"/> (errno EPERM) before anything is started. Pass null to run as this process's user.
    /// </summary>
    public Command WithUser(ProcessUser? user) => Copy(c => c.User = user);

    /// <summary>Runs the child as the given user id, group id and supplementary groups (none when omitted).</summary>
    public Command WithUser(int userId, int groupId, IEnumerable<int>? supplementaryGroups = null) =>
        WithUser(new ProcessUser(userId, groupId, supplementaryGroups));

    /// <summary>Runs the child as the user called <paramref name="userName"/>, with its primary group and its groups.</summary>
    /// <exception cref="ArgumentException">No user has that name.</exception>
    public Command WithUser(string userName) => WithUser(ProcessUser.FromName(userName));

    /// <summary>Starts the child with the file mode creation mask <paramref name="umask"/> (0 to 0777, e.g. <c>0x12</c> for 022).</summary>
    public Command WithUmask(int umask)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(umask);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(umask, 0x1FF /* 0777 */);
        return Copy(c => c.Umask = umask);
    }

    /// <summary>
    /// Starts the child in a new session (<c>setsid</c>), so it has no controlling terminal. The child still leads its
    /// run's process group and stays contained. Only a single command (not a multi-stage pipeline) can ask for it.
    /// </summary>
    public Command WithNewSession(bool newSession = true) => Copy(c => c.NewSession = newSession);

    /// <summary>
    /// Starts the child with niceness <paramref name="niceness"/> (-20, most favoured, to 19). Going below this
    /// process's niceness needs <c>CAP_SYS_NICE</c>; without it the run fails with <see cref="SpawnFailedException"/>.
    /// </summary>
    public Command WithNiceness(int niceness)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(niceness, -20);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(niceness, 19);
        return Copy(c => c.Niceness = niceness);
    }

    /// <summary>Starts the child with I/O priority <paramref name="priority"/>; the real-time class needs <c>CAP_SYS_ADMIN</c>.</summary>
    public Command WithIoPriority(IoPriority priority) => Copy(c => c.IoPriority = priority);

    /// <summary>
    /// Starts the child with <paramref name="limit"/> set to <paramref name="value"/> (soft and hard), in place before
    /// the program's first instruction. Raising a hard limit needs <c>CAP_SYS_RESOURCE</c>; without it the run fails
    /// with <see cref="SpawnFailedException"/>. Pass <see cref="ulong.MaxValue"/> for no limit.
    /// </summary>
    public Command WithResourceLimit(ResourceLimit limit, ulong value)
    {
        if (!Enum.IsDefined(limit))
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "Not a known resource limit.");
        }

        return Copy(c => c.ResourceLimits = c.ResourceLimits.SetItem(limit, value));
    }

    /// <summary>
    /// Limits the run's whole tree (every descendant included) to <paramref name="bytes"/> of memory through its cgroup.
    /// At the limit the kernel kills a process of the tree; the result reports it
    /// (<see cref="ProcessResult{TOutput}.OutOfMemoryKills"/>, and <see cref="Outcome.Signalled.OutOfMemory"/> when it
    /// was the program itself). A host that cannot enforce it fails the run with <see cref="UnsupportedException"/>
    /// (see <see cref="Containment.Probe"/>).
    /// </summary>
    public Command WithMemoryLimit(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bytes, 1024 * 1024);
        return Copy(c => c.MemoryLimitBytes = bytes);
    }

    /// <summary>
    /// Accounts the run's whole tree (every descendant included) in a memory group of its own, without limiting it, so
    /// that the result's <see cref="ProcessResult{TOutput}.PeakMemoryBytes"/> is the tree's peak from the same group
    /// that <see cref="WithMemoryLimit"/> uses. Without a memory group the peak falls back to the largest stage's
    /// <c>wait4</c> figure, which is unknown (null) for most small programs, because a spawned child's figure includes
    /// the host's address space until it execs. It costs a group per run (on a host with cgroup v1 memory, about as much
    /// as a memory limit does); a host that cannot account memory refuses it like <see cref="WithMemoryLimit"/>.
    /// </summary>
    public Command WithMemoryAccounting(bool enabled = true) => Copy(c => c.MemoryAccounting = enabled);

    /// <summary>
    /// Limits the run's whole tree to <paramref name="cpus"/> CPUs of bandwidth (0.5: half of one CPU) through its
    /// cgroup; the tree is throttled, not killed. Refused like <see cref="WithMemoryLimit"/> where it cannot be enforced.
    /// </summary>
    public Command WithCpuLimit(double cpus)
    {
        if (!double.IsFinite(cpus) || cpus < 0.01)
        {
            throw new ArgumentOutOfRangeException(nameof(cpus), cpus, "A CPU limit must be at least 0.01 CPUs.");
        }

        return Copy(c => c.CpuLimit = cpus);
    }

    /// <summary>
    /// Limits the run's whole tree to <paramref name="count"/> live processes and threads through its cgroup; a
    /// <c>fork</c> beyond it fails with EAGAIN. Refused like <see cref="WithMemoryLimit"/> where it cannot be enforced.
    /// </summary>
    public Command WithProcessCountLimit(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return Copy(c => c.ProcessCountLimit = count);
    }

    /// <summary>
    /// Runs the child in a pseudo-terminal of <paramref name="columns"/> × <paramref name="rows"/>, as its controlling
    /// terminal (in a new session), so <c>isatty</c> checks, colours and progress bars behave as in a terminal. Its
    /// stdout and stderr both arrive, merged, on stdout; stdin writes are typed into it (echo is off), and the end of
    /// the input is typed as end-of-file; without stdin the terminal simply gets no input. Resize it while running with
    /// <see cref="RunningProcess.ResizeTerminal"/>. The tree is contained and killed as usual. Only a single command
    /// (not a multi-stage pipeline) can have one.
    /// </summary>
    public Command WithPseudoTerminal(int columns = 80, int rows = 24)
    {
        var size = new TerminalSize(columns, rows);
        return Copy(c => c.PseudoTerminal = size);
    }

    /// <summary>Runs the child with pipes as its stdio again (the default).</summary>
    public Command WithoutPseudoTerminal() => Copy(c => c.PseudoTerminal = null);
}
