using System.Globalization;
using System.Text;
using Tether.Interop;

namespace Tether.Internal;

/// <summary>
/// One run's tree limits (memory, CPU, processes) in force: written into the run's cgroup v2 leaf where the controller
/// is delegated, else into a cgroup v1 group per controller that every stage joins while held before its exec (so
/// the limit binds from the program's first instruction, and every descendant inherits the group). Also the one
/// source of the run's peak memory and out-of-memory kills when memory is limited.
/// </summary>
internal sealed class RunLimits
{
    private const long CpuPeriodMicroseconds = 100_000;
    private static readonly HashSet<string> EnabledV2 = [];
    private readonly List<string> _v1Groups = [];
    private string? _memoryGroup;
    private int _memoryVersion;

    private RunLimits()
    {
    }

    /// <summary>Every v1 group's <c>cgroup.procs</c>; each stage is written into all of them before it execs.</summary>
    public IEnumerable<string> V1ProcsFiles => _v1Groups.Select(g => g + "/cgroup.procs");

    /// <summary>True when <paramref name="settings"/> asks for any tree limit.</summary>
    public static bool Wanted(Command settings) =>
        settings.MemoryLimitBytes is not null || settings.MemoryAccounting || settings.CpuLimit is not null || settings.ProcessCountLimit is not null;

    /// <summary>
    /// Refuses, before anything is created, a limit this host cannot enforce, naming why. <paramref name="leafExpected"/>
    /// says whether the run will have a cgroup v2 leaf (v2 limits live there).
    /// </summary>
    public static void Validate(Command settings, bool leafExpected)
    {
        foreach (var limit in Requested(settings))
        {
            var controller = CgroupControllers.For(limit);
            if (controller.Version == 0)
            {
                throw new UnsupportedException($"A {Describe(limit)} limit was asked for '{settings.Program}', but this host cannot enforce it: {controller.Support.UnavailableReason}.");
            }

            if (controller.Version == 2 && !leafExpected)
            {
                throw new UnsupportedException($"A {Describe(limit)} limit was asked for '{settings.Program}', which is enforced through the run's cgroup v2 leaf, but this run has none (ContainmentMode.ProcessGroup); use Auto or Cgroup.");
            }
        }
    }

    /// <summary>Puts the limits in force for one run (call <see cref="Validate"/> first). The caller removes them on failure.</summary>
    public static RunLimits Create(Command settings, CgroupLeaf? leaf)
    {
        var limits = new RunLimits();
        try
        {
            if (settings.MemoryLimitBytes is not null || settings.MemoryAccounting)
            {
                var directory = limits.GroupFor(TreeLimit.Memory, leaf, out var version);
                limits._memoryGroup = directory;
                limits._memoryVersion = version;
            }

            if (settings.MemoryLimitBytes is { } bytes)
            {
                var directory = limits._memoryGroup!;
                var version = limits._memoryVersion;
                if (version == 2)
                {
                    Set(directory, "memory.max", bytes.ToString(CultureInfo.InvariantCulture));
                    SetIfPresent(directory, "memory.swap.max", "0");
                }
                else
                {
                    Set(directory, "memory.limit_in_bytes", bytes.ToString(CultureInfo.InvariantCulture));
                    SetIfPresent(directory, "memory.memsw.limit_in_bytes", bytes.ToString(CultureInfo.InvariantCulture));
                }
            }

            if (settings.CpuLimit is { } cpus)
            {
                var quota = Math.Max(1000, (long)Math.Round(cpus * CpuPeriodMicroseconds));
                var directory = limits.GroupFor(TreeLimit.Cpu, leaf, out var version);
                if (version == 2)
                {
                    Set(directory, "cpu.max", $"{quota.ToString(CultureInfo.InvariantCulture)} {CpuPeriodMicroseconds.ToString(CultureInfo.InvariantCulture)}");
                }
                else
                {
                    Set(directory, "cpu.cfs_period_us", CpuPeriodMicroseconds.ToString(CultureInfo.InvariantCulture));
                    Set(directory, "cpu.cfs_quota_us", quota.ToString(CultureInfo.InvariantCulture));
                }
            }

            if (settings.ProcessCountLimit is { } count)
            {
                var directory = limits.GroupFor(TreeLimit.Processes, leaf, out _);
                Set(directory, "pids.max", count.ToString(CultureInfo.InvariantCulture));
            }

            return limits;
        }
        catch
        {
            limits.TryRemove();
            throw;
        }
    }

    /// <summary>Moves a held child into every v1 group; returns the failure, or null.</summary>
    public Exception? Join(int pid)
    {
        foreach (var procs in V1ProcsFiles)
        {
            var errno = KernelFile.WriteNumber(procs, pid);
            if (errno != 0)
            {
                return new ProcessIOException($"Could not put pid {pid} into its limit cgroup: writing {procs} failed: {Libc.ErrorText(errno)}.");
            }
        }

        return null;
    }

    /// <summary>How many processes of the tree the kernel killed for reaching the memory limit.</summary>
    public int OutOfMemoryKills()
    {
        if (_memoryGroup is null)
        {
            return 0;
        }

        Span<byte> buffer = stackalloc byte[1024];
        var length = KernelFile.Read(_memoryGroup + (_memoryVersion == 2 ? "/memory.events" : "/memory.oom_control"), buffer);
        return length > 0 && KernelFile.FindValue(buffer[..length], "oom_kill "u8) is { } kills ? (int)kills : 0;
    }

    /// <summary>The tree's peak memory in bytes from the memory group, or null when the run has none (neither a memory
    /// limit nor memory accounting).</summary>
    public long? PeakMemory()
    {
        if (_memoryGroup is null)
        {
            return null;
        }

        Span<byte> buffer = stackalloc byte[32];
        var length = KernelFile.Read(_memoryGroup + (_memoryVersion == 2 ? "/memory.peak" : "/memory.max_usage_in_bytes"), buffer);
        return length > 0 && long.TryParse(buffer[..length].TrimEnd((byte)'\n'), NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) ? bytes : null;
    }

    /// <summary>SIGKILLs every process in the v1 groups (the v2 leaf, when there is one, is killed by its owner).</summary>
    public void Kill()
    {
        foreach (var group in _v1Groups)
        {
            foreach (var pid in new CgroupLeaf(group).Processes())
            {
                Libc.kill(pid, 9);
            }
        }
    }

    /// <summary>True when no v1 group has a process left.</summary>
    public bool IsEmpty() => _v1Groups.All(g => new CgroupLeaf(g).Processes().Count == 0);

    /// <summary>Removes the v1 groups; false while any still has processes.</summary>
    public bool TryRemove()
    {
        for (var i = _v1Groups.Count - 1; i >= 0; i--)
        {
            try
            {
                Directory.Delete(_v1Groups[i]);
                _v1Groups.RemoveAt(i);
            }
            catch (DirectoryNotFoundException)
            {
                _v1Groups.RemoveAt(i);
            }
            catch (IOException)
            {
                return false;
            }
        }

        return true;
    }

    private static IEnumerable<TreeLimit> Requested(Command settings)
    {
        if (settings.MemoryLimitBytes is not null || settings.MemoryAccounting)
        {
            yield return TreeLimit.Memory;
        }

        if (settings.CpuLimit is not null)
        {
            yield return TreeLimit.Cpu;
        }

        if (settings.ProcessCountLimit is not null)
        {
            yield return TreeLimit.Processes;
        }
    }

    private static string Describe(TreeLimit limit) => limit switch
    {
        TreeLimit.Memory => "memory",
        TreeLimit.Cpu => "CPU",
        _ => "process count",
    };

    private static void Set(string directory, string file, string value)
    {
        var path = Path.Combine(directory, file);
        var errno = KernelFile.Write(path, Encoding.ASCII.GetBytes(value));
        if (errno != 0)
        {
            throw new ProcessIOException($"Could not set the run's limit: writing {value} to {path} failed: {Libc.ErrorText(errno)}.");
        }
    }

    private static void SetIfPresent(string directory, string file, string value)
    {
        if (File.Exists(Path.Combine(directory, file)))
        {
            Set(directory, file, value);
        }
    }

    private string GroupFor(TreeLimit limit, CgroupLeaf? leaf, out int version)
    {
        var controller = CgroupControllers.For(limit);
        version = controller.Version;
        if (version == 2)
        {
            var runsParent = Path.GetDirectoryName(leaf!.Path)!;
            lock (EnabledV2)
            {
                if (!EnabledV2.Contains(controller.Name))
                {
                    if (CgroupControllers.EnableV2(controller, runsParent) is { } error)
                    {
                        throw new UnsupportedException($"A {Describe(limit)} limit cannot be enforced: {error}.");
                    }

                    EnabledV2.Add(controller.Name);
                }
            }

            // A controller enabled in the parent after the leaf was made shows up in the leaf at once.
            return leaf.Path;
        }

        try
        {
            var group = CgroupControllers.CreateV1Group(controller);
            _v1Groups.Add(group);
            return group;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ProcessIOException($"Could not create the run's {controller.Name} cgroup: {ex.Message}", ex);
        }
    }
}
