using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Tether.Interop;

namespace Tether.Internal;

/// <summary>
/// Puts a spawned child into its run's cgroup before the program's first instruction, without an extra exec; and
/// holds it there while settings only another process can make are made (niceness, I/O priority, rlimits, cgroup v1
/// limit groups — see <see cref="Spawning.SpawnAttributes"/>), with or without a cgroup leaf.
/// </summary>
/// <remarks>
/// The child's first spawn action opens a private FIFO for reading, which blocks while the FIFO has no writer; the
/// spawning thread is held in <c>posix_spawn</c> meanwhile (vfork semantics). The gate's own thread finds the new child
/// in <c>/proc/self/task/TID/children</c> of the spawning thread, writes its pid to the leaf's <c>cgroup.procs</c>,
/// and only then opens the FIFO for writing, which releases the child to exec the program — already inside the
/// cgroup. Hosts without <c>/proc/…/children</c> (CONFIG_PROC_CHILDREN) or where the FIFO cannot be made fall back to
/// the <c>/bin/sh</c> exec shim, which does the same at the cost of one more exec per stage.
/// </remarks>
internal sealed unsafe class CgroupGate
{
    private static readonly TimeSpan FindTimeout = TimeSpan.FromSeconds(5);
    private static readonly Lazy<CgroupGate?> Shared = new(Create);
    private readonly Lock _spawnLock = new();
    private readonly SemaphoreSlim _armed = new(0);
    private readonly byte[] _fifoPath;
    private readonly Job _reusableJob = new();
    private Job? _job;

    private CgroupGate(string directory, byte[] fifoPath)
    {
        Directory = directory;
        _fifoPath = fifoPath;
        var thread = new Thread(Loop) { IsBackground = true, Name = "Tether cgroup gate" };
        thread.Start();
    }

    /// <summary>The gate, or null when this host needs the shell shim instead.</summary>
    public static CgroupGate? Instance => Shared.Value;

    /// <summary>The private directory (0700) holding the FIFO; removed at exit, or by the warden after a crash.</summary>
    public string Directory { get; }

    /// <summary>The FIFO path, NUL-terminated, for <c>posix_spawn_file_actions_addopen</c>.</summary>
    public ReadOnlySpan<byte> FifoPath => _fifoPath;

    /// <summary>
    /// Runs <paramref name="spawn"/> (which must open the FIFO first) and, while the child it creates is held before
    /// its exec, moves it into <paramref name="procsFile"/>'s cgroup (when given) and then runs
    /// <paramref name="prepare"/> on its pid (when given: settings only another process can make, such as resource
    /// limits and priorities). Returns the spawn's result; <paramref name="failure"/> is set when the child could not be
    /// moved or prepared (the caller then kills it).
    /// </summary>
    public int Spawn(Func<int> spawn, string? procsFile, Func<int, Exception?>? prepare, out Exception? failure)
    {
        lock (_spawnLock)
        {
            var job = _reusableJob;
            job.Reset((int)Libc.syscall(GettidSyscall, 0, 0), procsFile, prepare);
            ReadChildren(job.ChildrenFile, job.Known);
            Volatile.Write(ref _job, job);
            _armed.Release();
            int result;
            try
            {
                result = spawn();
            }
            finally
            {
                Volatile.Write(ref job.SpawnReturned, true);
                job.Done.Wait();
                Volatile.Write(ref _job, null);
            }

            failure = job.Failure;
            return result;
        }
    }

    private static long GettidSyscall => RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 178 : 186;

    private static CgroupGate? Create()
    {
        if (RuntimeInformation.ProcessArchitecture is not (Architecture.X64 or Architecture.Arm64))
        {
            return null;
        }

        var tid = (int)Libc.syscall(GettidSyscall, 0, 0);
        if (!File.Exists(ChildrenFile(tid)))
        {
            return null;
        }

        try
        {
            var directory = System.IO.Directory.CreateTempSubdirectory("tether-").FullName;
            var fifo = Encoding.UTF8.GetBytes(Path.Combine(directory, "cgroup-gate") + "\0");
            fixed (byte* p = fifo)
            {
                if (Libc.mkfifo(p, 0x180 /* 0600 */) != 0)
                {
                    System.IO.Directory.Delete(directory, recursive: true);
                    return null;
                }
            }

            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                try
                {
                    System.IO.Directory.Delete(directory, recursive: true);
                }
                catch (IOException)
                {
                }
            };
            return new CgroupGate(directory, fifo);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string ChildrenFile(int tid) =>
        $"/proc/self/task/{tid.ToString(CultureInfo.InvariantCulture)}/children";

    /// <summary>Reads the pids listed in a <c>children</c> file into <paramref name="into"/> (cleared first).</summary>
    private static void ReadChildren(string childrenFile, List<int> into)
    {
        into.Clear();
        Span<byte> buffer = stackalloc byte[8192];
        var length = KernelFile.Read(childrenFile, buffer);
        var content = buffer[..Math.Max(length, 0)];
        var value = 0;
        var inNumber = false;
        foreach (var b in content)
        {
            if (b is >= (byte)'0' and <= (byte)'9')
            {
                value = (value * 10) + (b - '0');
                inNumber = true;
            }
            else if (inNumber)
            {
                into.Add(value);
                value = 0;
                inNumber = false;
            }
        }

        if (inNumber)
        {
            into.Add(value);
        }
    }

    private void Loop()
    {
        while (true)
        {
            _armed.Wait();
            var job = Volatile.Read(ref _job);
            if (job is null)
            {
                continue;
            }

            try
            {
                Serve(job);
            }
            catch (Exception ex)
            {
                job.Failure ??= new ProcessIOException($"Holding a spawned child before its exec failed: {ex.Message}", ex);
            }
            finally
            {
                job.Done.Set();
            }
        }
    }

    private void Serve(Job job)
    {
        var deadline = Environment.TickCount64 + (long)FindTimeout.TotalMilliseconds;
        var pid = 0;
        var spins = 0;
        while (pid == 0 && !Volatile.Read(ref job.SpawnReturned) && Environment.TickCount64 < deadline)
        {
            ReadChildren(job.ChildrenFile, job.Current);
            foreach (var candidate in job.Current)
            {
                if (!job.Known.Contains(candidate))
                {
                    pid = candidate;
                    break;
                }
            }

            if (pid == 0 && ++spins > 20)
            {
                Thread.Yield();
            }
        }

        if (pid != 0)
        {
            var errno = job.ProcsFile is null ? 0 : KernelFile.WriteNumber(job.ProcsFile, pid);
            if (errno != 0)
            {
                job.Failure = new ProcessIOException($"Could not put pid {pid} into its cgroup: writing {job.ProcsFile} failed: {Libc.ErrorText(errno)}.");
            }
            else if (job.Prepare is not null)
            {
                // A lowered RLIMIT_NOFILE must not land before the child has the descriptor of its FIFO open, or the
                // open fails with EMFILE: prepare once it sleeps in that open.
                WaitUntilParked(pid, job, deadline);
                job.Failure = job.Prepare(pid);
            }
        }
        else if (!Volatile.Read(ref job.SpawnReturned))
        {
            job.Failure = new ProcessIOException("Holding a spawned child before its exec failed: the child did not appear in /proc within 5s.");
        }

        // Release the child (it waits in open() for a writer) unless the spawn already failed without one.
        fixed (byte* path = _fifoPath)
        {
            while (!Volatile.Read(ref job.SpawnReturned))
            {
                var fd = Libc.open(path, OpenFlags.WriteOnly | OpenFlags.NonBlocking | OpenFlags.CloseOnExec, 0);
                if (fd >= 0)
                {
                    Libc.close(fd);
                    break;
                }

                Thread.Yield(); // ENXIO: the child has not reached its open() yet
            }
        }
    }

    /// <summary>
    /// Waits until <paramref name="pid"/> sleeps in its FIFO <c>open</c> (<c>/proc/PID/wchan</c> is
    /// <c>wait_for_partner</c>), the spawn returned, or the deadline passed; returns at once where the kernel does not
    /// show the wait channel.
    /// </summary>
    private static void WaitUntilParked(int pid, Job job, long deadline)
    {
        var wchan = $"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/wchan";
        Span<byte> buffer = stackalloc byte[64];
        while (!Volatile.Read(ref job.SpawnReturned) && Environment.TickCount64 < deadline)
        {
            var length = KernelFile.Read(wchan, buffer);
            if (length <= 1 || buffer[..length].StartsWith("wait_for_partner"u8))
            {
                return; // parked, or the wait channel is hidden ("0") or unreadable
            }

            Thread.Yield();
        }
    }

    /// <summary>One spawn's request to the gate thread; a single instance is reused under the spawn lock.</summary>
    private sealed class Job
    {
        public bool SpawnReturned;

        public Exception? Failure;

        public string ChildrenFile { get; private set; } = "";

        public string? ProcsFile { get; private set; }

        public Func<int, Exception?>? Prepare { get; private set; }

        public List<int> Known { get; } = [];

        public List<int> Current { get; } = [];

        public ManualResetEventSlim Done { get; } = new();

        public void Reset(int tid, string? procsFile, Func<int, Exception?>? prepare)
        {
            ChildrenFile = CgroupGate.ChildrenFile(tid);
            ProcsFile = procsFile;
            Prepare = prepare;
            SpawnReturned = false;
            Failure = null;
            Done.Reset();
        }
    }
}
