namespace Tether;

/// <summary>Which containment a command asks for. What was actually used is reported as <see cref="ContainmentMechanism"/>.</summary>
public enum ContainmentMode
{
    /// <summary>A leaf cgroup when this host offers a writable cgroup v2 hierarchy, otherwise a process group.</summary>
    Auto,

    /// <summary>A process group only: a descendant that calls <c>setsid</c> or changes its group escapes it.</summary>
    ProcessGroup,

    /// <summary>A leaf cgroup (plus a process group); the run fails with <see cref="UnsupportedException"/> when the host has none.</summary>
    Cgroup,
}

/// <summary>The containment actually in force for a run.</summary>
public enum ContainmentMechanism
{
    /// <summary>
    /// The run's own process group. Signals and kills reach every process in the group; a descendant that
    /// called <c>setsid</c> or <c>setpgid</c> is outside it and is not reached.
    /// </summary>
    ProcessGroup,

    /// <summary>
    /// The run's own cgroup v2 leaf (and its own process group). Every descendant stays in the cgroup whatever it
    /// does, so <c>cgroup.kill</c> reaches the whole tree, including double-forked and <c>setsid</c> processes.
    /// </summary>
    Cgroup,

    /// <summary>
    /// No process existed: a test double (a scripted reply or a replayed cassette entry from <c>Tether.Testing</c>)
    /// answered the run. Signals, suspension and kills act on the script, not on the system.
    /// </summary>
    None,
}
