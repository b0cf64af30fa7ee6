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
}
