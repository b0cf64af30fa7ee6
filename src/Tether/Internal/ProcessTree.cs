namespace Tether.Internal;

/// <summary>
/// The processes of one run and the containment around them: the platform layer under <see cref="RunningProcess"/>.
/// Signals and kills always address the whole tree, never a single pid.
/// </summary>
internal abstract class ProcessTree
{
    public abstract ContainmentMechanism Mechanism { get; }

    /// <summary>Pids of the stages, first to last.</summary>
    public abstract IReadOnlyList<int> Pids { get; }

    /// <summary>One task per stage, completed when that stage has exited and been reaped.</summary>
    public abstract IReadOnlyList<Task<ExitStatus>> StageExits { get; }

    /// <summary>The write end of the first stage's stdin, or null when stdin was not a pipe.</summary>
    public abstract Stream? Stdin { get; }

    /// <summary>The read end of the last stage's stdout.</summary>
    public abstract Stream Stdout { get; }

    /// <summary>The read end of every stage's stderr.</summary>
    public abstract Stream Stderr { get; }

    /// <summary>Sends <paramref name="signal"/> to every process of the tree.</summary>
    public abstract void Signal(Signal signal);

    /// <summary>SIGKILLs every process of the tree.</summary>
    public abstract void Kill();

    /// <summary>Stops every process of the tree (cgroup freeze or SIGSTOP).</summary>
    public abstract void Suspend();

    /// <summary>Resumes every process of the tree.</summary>
    public abstract void Resume();

    /// <summary>CPU time of the whole tree when the containment measures it (cgroup), else null.</summary>
    public abstract TimeSpan? TreeCpuTime();

    /// <summary>Peak memory of the whole tree when the containment measures it (cgroup <c>memory.peak</c>), else null.</summary>
    public abstract long? TreePeakMemory();

    /// <summary>Resizes the run's pseudo-terminal.</summary>
    /// <exception cref="InvalidOperationException">The run has none.</exception>
    public virtual void ResizeTerminal(TerminalSize size) =>
        throw new InvalidOperationException("This run has no pseudo-terminal to resize; start it with Command.WithPseudoTerminal.");

    /// <summary>How many processes of the tree the kernel killed for reaching the run's memory limit (read at teardown).</summary>
    public virtual int OutOfMemoryKills() => 0;

    /// <summary>Kills what is left, waits (bounded) for the containment to empty and releases it.</summary>
    public abstract ValueTask TeardownAsync();
}
