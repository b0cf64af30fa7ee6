using System.Globalization;
using System.Runtime.InteropServices;
using Tether.Interop;
using Tether.ProcFs;

namespace Tether.Supervisor.Reaping;

/// <summary>
/// Reaps orphaned zombies when the supervisor is PID 1 (a container's init, <c>unshare --pid --fork</c>): every process
/// whose parent died is re-parented to PID 1 and, once it exits, stays a zombie until PID 1 waits for it.
/// </summary>
/// <remarks>
/// <para>Tether's core reaps its own children itself, each through its pidfd; taking one of their exit statuses here
/// would leave the core waiting for a child that no longer exists. So on every <c>SIGCHLD</c> the reaper first looks
/// with <c>waitid(P_ALL, WEXITED | WNOHANG | WNOWAIT)</c>, which names the next zombie without reaping it, and reaps
/// only a pid that is not one of the runs the supervisor started (<see cref="EndSpawn"/> tells it which). When the
/// next zombie is one of ours, it falls back to scanning <c>/proc</c> for other zombie children.</para>
/// <para>A spawn in progress is a child the reaper cannot know yet: while one is (between <see cref="BeginSpawn"/>
/// and <see cref="EndSpawn"/>), unknown zombies are left for the next pass, which <see cref="EndSpawn"/> runs.</para>
/// <para>Not PID 1: every method does nothing (the system's init reaps orphans).</para>
/// </remarks>
internal sealed unsafe class OrphanReaper : IDisposable
{
    private readonly HashSet<int> _ours = [];
    private readonly Lock _gate = new();
    private readonly PosixSignalRegistration? _registration;
    private int _spawning;
    private bool _deferred;
    private long _reaped;

    private OrphanReaper(bool enabled)
    {
        Enabled = enabled && OperatingSystem.IsLinux();
        if (Enabled && OperatingSystem.IsLinux())
        {
            _registration = PosixSignalRegistration.Create(PosixSignal.SIGCHLD, _ => ReapOrphans());
        }
    }

    /// <summary>Whether it reaps (this process is PID 1, or a spec asked for it).</summary>
    public bool Enabled { get; }

    /// <summary>Orphans reaped so far.</summary>
    public long Reaped => Interlocked.Read(ref _reaped);

    /// <summary>A reaper that works when this process is PID 1.</summary>
    public static OrphanReaper ForThisProcess() => new(Environment.ProcessId == 1);

    /// <summary>A reaper that works whatever this process's pid (for specs that make it a child subreaper).</summary>
    internal static OrphanReaper Always() => new(enabled: true);

    /// <summary>A spawn begins: zombies not known to be orphans are left alone until <see cref="EndSpawn"/>.</summary>
    public void BeginSpawn()
    {
        if (Enabled)
        {
            lock (_gate)
            {
                _spawning++;
            }
        }
    }

    /// <summary>The spawn ended with these processes (none when it failed): they are ours, never reaped here.</summary>
    public void EndSpawn(IReadOnlyList<int> pids)
    {
        if (!Enabled)
        {
            return;
        }

        bool again;
        lock (_gate)
        {
            _ours.UnionWith(pids);
            _spawning--;
            again = _spawning == 0 && _deferred;
            _deferred = false;
        }

        if (again)
        {
            ReapOrphans();
        }
    }

    /// <summary>These processes were reaped by the core (their run ended): forget them.</summary>
    public void Release(IReadOnlyList<int> pids)
    {
        if (Enabled)
        {
            lock (_gate)
            {
                _ours.ExceptWith(pids);
            }
        }
    }

    /// <summary>Reaps every zombie child that is not one of ours.</summary>
    public void ReapOrphans()
    {
        if (!Enabled)
        {
            return;
        }

        lock (_gate)
        {
            if (_spawning > 0)
            {
                _deferred = true;
                return;
            }

            while (true)
            {
                Libc.ChildSignalInfo info = default;
                if (Libc.waitid(Libc.P_ALL, 0, &info, Libc.WEXITED | Libc.WNOHANG | Libc.WNOWAIT) != 0 || info.Pid == 0)
                {
                    return; // no zombie (or no children at all: ECHILD)
                }

                if (_ours.Contains(info.Pid))
                {
                    ReapOthersFromProc();
                    return;
                }

                if (!Reap(info.Pid))
                {
                    return;
                }
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _registration?.Dispose();

    private bool Reap(int pid)
    {
        if (Libc.wait4(pid, out _, Libc.WNOHANG, out _) == pid)
        {
            Interlocked.Increment(ref _reaped);
            return true;
        }

        return false;
    }

    /// <summary>The next zombie is ours (the core is about to reap it): find other zombie children by their <c>/proc</c> entries.</summary>
    private void ReapOthersFromProc()
    {
        var self = Environment.ProcessId;
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || _ours.Contains(pid))
            {
                continue;
            }

            if (ProcStat.Read(pid) is { State: 'Z' } stat && stat.ParentPid == self)
            {
                Reap(pid);
            }
        }
    }
}
