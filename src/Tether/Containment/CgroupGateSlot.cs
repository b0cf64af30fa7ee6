using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Tether.Interop;

namespace Tether.Internal;

/// <summary>
/// One spawn's way through the <see cref="CgroupGate"/>: a "ready" and a "release" FIFO and a thread that sleeps in
/// opening the ready FIFO until a child arrives, moves (and prepares) that child, and then releases it.
/// </summary>
internal sealed unsafe class CgroupGateSlot
{
    private static readonly TimeSpan FindTimeout = TimeSpan.FromSeconds(5);
    private readonly string _readyPath;
    private readonly byte[] _readyFifo;
    private readonly string _releasePath;
    private readonly byte[] _releaseFifo;
    private readonly List<int> _known = [];
    private readonly List<int> _current = [];
    private readonly ManualResetEventSlim _done = new();
    private Job? _pending;
    private Job? _job;
    private bool _spawnReturned;
    private Exception? _failure;

    private CgroupGateSlot(string readyPath, byte[] readyFifo, string releasePath, byte[] releaseFifo)
    {
        (_readyPath, _readyFifo) = (readyPath, readyFifo);
        (_releasePath, _releaseFifo) = (releasePath, releaseFifo);
        var thread = new Thread(Loop) { IsBackground = true, Name = "Tether cgroup gate" };
        thread.Start();
    }

    /// <summary>
    /// The FIFO the child's first gate action opens for writing (NUL-terminated, for
    /// <c>posix_spawn_file_actions_addopen</c>); it wakes this slot's thread. The child closes it again at once.
    /// </summary>
    public ReadOnlySpan<byte> ReadyFifo => _readyFifo;

    /// <summary>The FIFO the child then opens for reading, where it sleeps until it is in its cgroup.</summary>
    public ReadOnlySpan<byte> ReleaseFifo => _releaseFifo;

    /// <summary>Makes the slot's two FIFOs in <paramref name="directory"/> and starts its thread; null when mkfifo fails.</summary>
    public static CgroupGateSlot? TryCreate(string directory, int index)
    {
        var name = index.ToString(CultureInfo.InvariantCulture);
        var readyPath = Path.Combine(directory, "ready-" + name);
        var ready = Encoding.UTF8.GetBytes(readyPath + "\0");
        var releasePath = Path.Combine(directory, "release-" + name);
        var release = Encoding.UTF8.GetBytes(releasePath + "\0");
        fixed (byte* r = ready)
        fixed (byte* g = release)
        {
            if (Libc.mkfifo(r, Libc.OwnerOnlyFileMode) != 0)
            {
                return null;
            }

            if (Libc.mkfifo(g, Libc.OwnerOnlyFileMode) != 0)
            {
                File.Delete(readyPath);
                return null;
            }
        }

        return new CgroupGateSlot(readyPath, ready, releasePath, release);
    }

    /// <summary>See <see cref="CgroupGate.Spawn"/>; called by the one thread that rented this slot.</summary>
    public int Spawn(Func<CgroupGateSlot, int> spawn, string childrenFile, string? procsFile, Func<int, Exception?>? prepare, out Exception? failure)
    {
        // The children the spawning thread has already: the new one is the pid that is not among them.
        CgroupGate.ReadChildren(childrenFile, _known);
        _spawnReturned = false;
        _failure = null;
        _done.Reset();
        var job = _pending ??= new Job();
        job.ChildrenFile = childrenFile;
        job.ProcsFile = procsFile;
        job.Prepare = prepare;
        Volatile.Write(ref _job, job);
        try
        {
            return spawn(this);
        }
        finally
        {
            if (Interlocked.Exchange(ref _job, null) is null)
            {
                // The slot's thread took the job: a child reached its ready FIFO. The spawn has returned, so that
                // child has exec'd or is gone; if it died before its release FIFO, the thread may sleep opening that
                // FIFO for writing: a reader that comes and goes wakes it.
                Volatile.Write(ref _spawnReturned, true);
                while (!_done.Wait(TimeSpan.FromMilliseconds(1)))
                {
                    fixed (byte* release = _releaseFifo)
                    {
                        Libc.close(Libc.open(release, OpenFlags.ReadOnly | OpenFlags.NonBlocking | OpenFlags.CloseOnExec, 0));
                    }
                }
            }

            // else no child reached its ready FIFO (the spawn failed before): the thread still sleeps in its open, idle.
            failure = _failure;
        }
    }

    private void Loop()
    {
        while (true)
        {
            int ready;
            fixed (byte* path = _readyFifo)
            {
                ready = Libc.open(path, OpenFlags.ReadOnly | OpenFlags.CloseOnExec, 0); // sleeps until a writer comes
            }

            if (ready < 0)
            {
                // EINTR; anything else (the private directory removed at exit) must not turn into a busy loop.
                Thread.Sleep(Marshal.GetLastPInvokeError() == Libc.EINTR ? 0 : 100);
                continue;
            }

            // Without a job, the writer was a child killed on a failed move that has not closed its descriptors yet.
            var job = Interlocked.Exchange(ref _job, null);
            if (job is null)
            {
                Libc.close(ready);
                Thread.Yield();
                continue;
            }

            var intoCgroup = job.ProcsFile is not null; // the job is the next spawn's once done is set
            try
            {
                Serve(job);
            }
            catch (Exception ex)
            {
                _failure ??= new ProcessIOException($"Holding a spawned child before its exec failed: {ex.Message}", ex);
            }
            finally
            {
                // Held open until the child is released: a child that has yet to open its ready FIFO (only after the
                // wake-up above) passes it at once.
                Libc.close(ready);
                RenewFifos();
                _done.Set();
            }

            if (intoCgroup)
            {
                // The child execs and its spawning thread waits for that: the time to make the next run's leaf.
                CgroupHierarchy.PrepareSpareLeaf();
            }
        }
    }

    /// <summary>
    /// Replaces both FIFOs with new ones of the same names before the slot serves another spawn; the child of this one
    /// is past them (released, killed, or gone), and its spawning thread waits for the exec meanwhile. Children spawned
    /// on other threads hold copies of this thread's descriptors until their exec: on the old FIFOs such a copy could
    /// let the next child through its release before it is in its cgroup, or past its ready FIFO unseen; the new FIFOs
    /// have no such copies. Should mkfifo fail, the next child's open fails (ENOENT) and its spawn with it: nothing
    /// runs unheld.
    /// </summary>
    private void RenewFifos()
    {
        foreach (var (path, bytes) in new[] { (_readyPath, _readyFifo), (_releasePath, _releaseFifo) })
        {
            File.Delete(path);
            fixed (byte* p = bytes)
            {
                Libc.mkfifo(p, Libc.OwnerOnlyFileMode);
            }
        }
    }

    private void Serve(Job job)
    {
        var pid = FindChild(job);
        if (pid == 0)
        {
            if (!Volatile.Read(ref _spawnReturned))
            {
                _failure = new ProcessIOException("Holding a spawned child before its exec failed: the child did not appear in /proc within 5s.");
            }

            return;
        }

        var errno = job.ProcsFile is null ? 0 : KernelFile.WriteNumber(job.ProcsFile, pid);
        if (errno != 0)
        {
            _failure = new ProcessIOException($"Could not put pid {pid} into its cgroup: writing {job.ProcsFile} failed: {Libc.ErrorText(errno)}.");
            Libc.kill(pid, 9); // it must never run the program outside its cgroup
            return;
        }

        if (job.Prepare is not null)
        {
            // A lowered RLIMIT_NOFILE must not land before the child has the descriptor of its release FIFO, or that
            // open fails with EMFILE: prepare once it sleeps in that open.
            WaitUntilParked(pid);
            if (job.Prepare(pid) is { } failure)
            {
                _failure = failure;
                Libc.kill(pid, 9);
                return;
            }
        }

        // Sleeps until the child opens the release FIFO for reading (at once if it is there already), which lets it go.
        fixed (byte* release = _releaseFifo)
        {
            int fd;
            while ((fd = Libc.open(release, OpenFlags.WriteOnly | OpenFlags.CloseOnExec, 0)) < 0 && Marshal.GetLastPInvokeError() == Libc.EINTR)
            {
            }

            Libc.close(fd);
        }
    }

    /// <summary>
    /// The spawning thread's new child. A child that woke this thread is in that list already (the kernel links it
    /// to its parent before it first runs), so one read finds it; only a wake-up by a dying earlier child comes
    /// before its spawn, and waits for it.
    /// </summary>
    private int FindChild(Job job)
    {
        var deadline = Environment.TickCount64 + (long)FindTimeout.TotalMilliseconds;
        while (true)
        {
            CgroupGate.ReadChildren(job.ChildrenFile, _current);
            foreach (var candidate in _current)
            {
                if (!_known.Contains(candidate))
                {
                    return candidate;
                }
            }

            if (Volatile.Read(ref _spawnReturned) || Environment.TickCount64 >= deadline)
            {
                return 0;
            }

            Thread.Yield();
        }
    }

    /// <summary>
    /// Waits until <paramref name="pid"/> sleeps in its release FIFO's <c>open</c> (<c>/proc/PID/wchan</c> is
    /// <c>wait_for_partner</c>, or, where the kernel hides the wait channel, <c>/proc/PID/stat</c> says it sleeps), the
    /// spawn returned, or 5 s passed. The child is past its ready FIFO, a few system calls away, so this is brief; and
    /// only held stages wait here. A child just woken from its ready FIFO shows no wait channel while it runs, which is
    /// why a bare "0" is not taken for parked.
    /// </summary>
    private void WaitUntilParked(int pid)
    {
        var deadline = Environment.TickCount64 + (long)FindTimeout.TotalMilliseconds;
        var text = pid.ToString(CultureInfo.InvariantCulture);
        var (wchan, stat) = ($"/proc/{text}/wchan", $"/proc/{text}/stat");
        Span<byte> buffer = stackalloc byte[512];
        while (!Volatile.Read(ref _spawnReturned) && Environment.TickCount64 < deadline)
        {
            var length = KernelFile.Read(wchan, buffer);
            if (length > 0 && buffer[..length].StartsWith("wait_for_partner"u8))
            {
                return;
            }

            if (length <= 1 && !IsRunning(stat, buffer))
            {
                return; // the wait channel is hidden ("0") or unreadable, and the child sleeps
            }

            Thread.Yield();
        }
    }

    /// <summary>Whether <c>/proc/PID/stat</c> shows the process running or runnable (state R); false when unreadable.</summary>
    private static bool IsRunning(string stat, Span<byte> buffer)
    {
        var length = KernelFile.Read(stat, buffer);
        var content = buffer[..Math.Max(length, 0)];
        var end = content.LastIndexOf((byte)')'); // the state follows the command name, which may hold spaces and ')'
        return end >= 0 && end + 2 < content.Length && content[end + 2] == (byte)'R';
    }

    /// <summary>What the slot's thread needs for one spawn; reused by the slot.</summary>
    private sealed class Job
    {
        public string ChildrenFile { get; set; } = "";

        public string? ProcsFile { get; set; }

        public Func<int, Exception?>? Prepare { get; set; }
    }
}
