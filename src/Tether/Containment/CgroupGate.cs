using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.InteropServices;
using Tether.Interop;

namespace Tether.Internal;

/// <summary>
/// Puts a spawned child into its run's cgroup before the program's first instruction, without an extra exec; and
/// holds it there while settings only another process can make are made (niceness, I/O priority, rlimits, cgroup v1
/// limit groups — see <see cref="Spawning.SpawnAttributes"/>), with or without a cgroup leaf.
/// </summary>
/// <remarks>
/// <para>
/// Each spawn in flight borrows one <see cref="CgroupGateSlot"/>: two private FIFOs and a thread of its own. The child's
/// spawn actions open the slot's "ready" FIFO for writing (which wakes the slot's thread, asleep in the matching
/// open for reading), close it, and then open the "release" FIFO for reading, where the child sleeps (the spawning
/// thread is held in <c>posix_spawn</c> meanwhile: vfork semantics). The slot's thread finds the new child in
/// <c>/proc/self/task/TID/children</c> of the spawning thread (a thread's own children only, so spawns on other threads
/// do not get in the way), writes its pid to the leaf's <c>cgroup.procs</c>, and only then opens the release FIFO for
/// writing, which lets the child exec the program — already inside the cgroup. Every wait is a blocking
/// <c>open</c>: nothing polls, and an idle slot costs a sleeping thread.
/// </para>
/// <para>
/// Spawns on different threads run at once, each through its own slot; a slot is reused once its spawn returned.
/// Hosts without <c>/proc/…/children</c> (CONFIG_PROC_CHILDREN) or where the FIFOs cannot be made fall back to the
/// <c>/bin/sh</c> exec shim, which does the same at the cost of one more exec per stage.
/// </para>
/// </remarks>
internal sealed class CgroupGate
{
    /// <summary>Spawns beyond this many at once wait for a slot: each slot keeps a thread.</summary>
    internal const int MaxSlots = 64;

    private static readonly Lazy<CgroupGate?> Shared = new(Create);

    [ThreadStatic]
    private static string? _childrenFile;

    private readonly ConcurrentStack<CgroupGateSlot> _idle = new();
    private readonly SemaphoreSlim _available = new(MaxSlots, MaxSlots);
    private int _slots;

    private CgroupGate(string directory) => Directory = directory;

    /// <summary>The gate, or null when this host needs the shell shim instead.</summary>
    public static CgroupGate? Instance => Shared.Value;

    /// <summary>The private directory (0700) holding the FIFOs; removed at exit, or by the warden after a crash.</summary>
    public string Directory { get; }

    /// <summary>How many slots (threads and FIFO pairs) exist: at most the largest number of spawns once in flight.</summary>
    internal int SlotCount => Volatile.Read(ref _slots);

    /// <summary>
    /// Runs <paramref name="spawn"/> with a slot whose FIFOs its spawn actions must open (see
    /// <see cref="CgroupGateSlot.ReadyFifo"/>) and, while the child it creates is held before its exec, moves it into
    /// <paramref name="procsFile"/>'s cgroup (when given) and then runs <paramref name="prepare"/> on its pid (when
    /// given: settings only another process can make, such as resource limits and priorities). Returns the spawn's
    /// result; <paramref name="failure"/> is set when the child could not be moved or prepared, in which case it was
    /// killed before its exec (the caller reaps it).
    /// </summary>
    public int Spawn(Func<CgroupGateSlot, int> spawn, string? procsFile, Func<int, Exception?>? prepare, out Exception? failure)
    {
        var slot = Rent();
        try
        {
            var childrenFile = _childrenFile ??= ChildrenFile((int)Libc.syscall(GettidSyscall, 0, 0));
            return slot.Spawn(spawn, childrenFile, procsFile, prepare, out failure);
        }
        finally
        {
            _idle.Push(slot);
            _available.Release();
        }
    }

    /// <summary>Reads the pids listed in a <c>children</c> file into <paramref name="into"/> (cleared first).</summary>
    internal static void ReadChildren(string childrenFile, List<int> into)
    {
        into.Clear();
        Span<byte> buffer = stackalloc byte[16384];
        var length = KernelFile.Read(childrenFile, buffer);
        var value = 0;
        var inNumber = false;
        foreach (var b in buffer[..Math.Max(length, 0)])
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

    private static long GettidSyscall => RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 178 : 186;

    private static string ChildrenFile(int tid) =>
        $"/proc/self/task/{tid.ToString(CultureInfo.InvariantCulture)}/children";

    private static CgroupGate? Create()
    {
        if (RuntimeInformation.ProcessArchitecture is not (Architecture.X64 or Architecture.Arm64))
        {
            return null;
        }

        if (!File.Exists(ChildrenFile((int)Libc.syscall(GettidSyscall, 0, 0))))
        {
            return null;
        }

        try
        {
            // Made on a host's first held or migrated spawn, not before: a host whose runs are all created inside their
            // leaves (or a one-shot `tether run`) never pays for the directory, its FIFOs and the slot's thread.
            var directory = System.IO.Directory.CreateTempSubdirectory("tether-").FullName;
            Warden.Instance.RemoveAtDeath(directory);
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

            // The first slot is made here, so a host where FIFOs cannot be made takes the shim from the start.
            var gate = new CgroupGate(directory);
            if (CgroupGateSlot.TryCreate(directory, 0) is not { } first)
            {
                System.IO.Directory.Delete(directory, recursive: true);
                return null;
            }

            gate._slots = 1;
            gate._idle.Push(first);
            return gate;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private CgroupGateSlot Rent()
    {
        _available.Wait();
        if (_idle.TryPop(out var slot))
        {
            return slot;
        }

        // Every slot made so far is in use and fewer than MaxSlots exist (the semaphore says so): make one more.
        var index = Interlocked.Increment(ref _slots) - 1;
        if (CgroupGateSlot.TryCreate(Directory, index) is { } created)
        {
            return created;
        }

        Interlocked.Decrement(ref _slots);
        _available.Release();
        throw new ProcessIOException($"Could not make the FIFOs that hold a spawned child before its exec in {Directory}.");
    }
}
