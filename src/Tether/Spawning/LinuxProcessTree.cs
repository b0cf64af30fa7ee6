using System.Collections.Immutable;
using Tether.Internal;
using Tether.Interop;

namespace Tether.Spawning;

/// <summary>
/// A spawned pipeline on Linux: its own process group (the first stage's pid), and optionally its own cgroup leaf.
/// Group-wide signals use <c>kill(-pgid)</c>; with a cgroup, every pid in <c>cgroup.procs</c> is signalled too (that
/// reaches descendants that left the group with <c>setsid</c>), SIGKILL goes through <c>cgroup.kill</c> and suspend
/// through <c>cgroup.freeze</c>. Teardown waits for a leaf to empty on the run's <see cref="TimeProvider"/>.
/// </summary>
internal sealed class LinuxProcessTree(
    ImmutableArray<int> pids,
    ImmutableArray<Task<ExitStatus>> exits,
    CgroupLeaf? leaf,
    RunLimits? limits,
    PseudoTerminal? terminal,
    long wardenRegistration,
    Stream? stdin,
    Stream stdout,
    Stream stderr,
    TimeProvider time) : ProcessTree
{
    private static readonly TimeSpan EmptyWait = TimeSpan.FromSeconds(5);
    private readonly int _processGroup = pids[0];
    private TimeSpan? _finalCpu;
    private long? _finalPeak;
    private int _finalOomKills;
    private int _tornDown;

    public override ContainmentMechanism Mechanism => leaf is null ? ContainmentMechanism.ProcessGroup : ContainmentMechanism.Cgroup;

    public override IReadOnlyList<int> Pids => pids;

    public override IReadOnlyList<Task<ExitStatus>> StageExits => exits;

    public override Stream? Stdin => stdin;

    public override Stream Stdout => stdout;

    public override Stream Stderr => stderr;

    public override void Signal(Signal signal)
    {
        if (Volatile.Read(ref _tornDown) != 0)
        {
            return;
        }

        Libc.kill(-_processGroup, signal.Number);
        if (leaf is not null)
        {
            // The group got it already; only descendants that left the group (setsid, setpgid) still need it.
            // Signalling every cgroup pid again would deliver it twice, and a second SIGINT/SIGTERM means
            // "force quit" to many programs.
            foreach (var pid in leaf.Processes())
            {
                if (Libc.getpgid(pid) != _processGroup)
                {
                    Libc.kill(pid, signal.Number);
                }
            }
        }
    }

    public override void Kill()
    {
        if (Volatile.Read(ref _tornDown) != 0)
        {
            return;
        }

        // The group first: it also reaches a stage still inside its exec shim, not yet in the cgroup.
        Libc.kill(-_processGroup, 9);
        leaf?.Kill();
        if (leaf is null)
        {
            limits?.Kill();
        }
    }

    public override void Suspend()
    {
        if (leaf is not null)
        {
            leaf.Freeze(true);
        }
        else
        {
            Libc.kill(-_processGroup, Tether.Signal.Stop.Number);
        }
    }

    public override void Resume()
    {
        if (leaf is not null)
        {
            leaf.Freeze(false);
        }
        else
        {
            Libc.kill(-_processGroup, Tether.Signal.Continue.Number);
        }
    }

    public override TimeSpan? TreeCpuTime() => _finalCpu ?? leaf?.CpuUsage();

    public override long? TreePeakMemory() => _finalPeak;

    public override int OutOfMemoryKills() => _finalOomKills;

    public override void ResizeTerminal(TerminalSize size)
    {
        if (terminal is null)
        {
            base.ResizeTerminal(size);
            return;
        }

        terminal.Resize(size);
    }

    public override async ValueTask TeardownAsync()
    {
        if (Interlocked.Exchange(ref _tornDown, 1) != 0)
        {
            return;
        }

        try
        {
            // Whatever is left of the tree dies with the run. Every stage has been reaped by now, so the group can
            // only hold descendants; ESRCH (nothing left) is the common case.
            Libc.kill(-_processGroup, 9);
            if (limits is not null)
            {
                // The memory group is the one source of peak memory and OOM kills when memory is limited.
                _finalPeak = limits.PeakMemory();
                _finalOomKills = limits.OutOfMemoryKills();
                if (leaf is null && !limits.TryRemove())
                {
                    limits.Kill();
                    await ConditionWait.UntilAsync(limits.TryRemove, EmptyWait, time).ConfigureAwait(false);
                }
            }

            if (leaf is not null)
            {
                // Common case: nothing is left, the leaf went when the last stage was reaped or goes now.
                var retired = leaf.TryRetire(out _finalCpu, out var peak);
                _finalPeak ??= peak;
                if (retired)
                {
                    await RemoveLimitGroupsAsync().ConfigureAwait(false);
                    return;
                }

                if (leaf.IsPopulated())
                {
                    leaf.Kill();
                    await ConditionWait.UntilAsync(() => !leaf.IsPopulated(), EmptyWait, time).ConfigureAwait(false);
                }

                _finalCpu = leaf.CpuUsage();
                await ConditionWait.UntilAsync(leaf.TryRemove, EmptyWait, time).ConfigureAwait(false);
                await RemoveLimitGroupsAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            terminal?.Dispose();
            if (wardenRegistration != 0)
            {
                Warden.Instance.Release(wardenRegistration);
            }
        }
    }

    /// <summary>Removes the v1 limit groups once the leaf is empty (every process of the tree was in both).</summary>
    private async ValueTask RemoveLimitGroupsAsync()
    {
        if (limits is not null && !limits.TryRemove())
        {
            limits.Kill();
            await ConditionWait.UntilAsync(limits.TryRemove, EmptyWait, time).ConfigureAwait(false);
        }
    }
}
