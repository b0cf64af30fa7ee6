using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Tether.Interop;

namespace Tether.Internal;

/// <summary>
/// Finds, once per process, which <see cref="TreeLimit"/>s this host can enforce and where: through the cgroup v2
/// leaf when this process's cgroup delegates the controller to its children (it is listed in its
/// <c>cgroup.subtree_control</c>), else through a cgroup v1 hierarchy of that controller that this process can write
/// (hybrid hosts mount v2 without controllers and v1 <c>memory</c>, <c>cpu</c>, <c>pids</c> beside it).
/// </summary>
internal static class CgroupControllers
{
    private static readonly Lazy<ImmutableArray<Controller>> Probed = new(Probe);
    private static readonly Lock CreateLock = new();
    private static long _nextGroup;

    /// <summary>What this host can enforce, one entry per <see cref="TreeLimit"/>.</summary>
    public static ImmutableArray<LimitSupport> Support => [.. Probed.Value.Select(c => c.Support)];

    /// <summary>Makes this async flow see <see cref="TreeLimit"/>s as unenforceable (so tests cover the refusal on a host that enforces everything).</summary>
    internal static AsyncLocal<TreeLimit?> ForceUnavailable { get; } = new();

    /// <summary>The controller behind <paramref name="limit"/>.</summary>
    public static Controller For(TreeLimit limit) => ForceUnavailable.Value == limit
        ? new Controller(limit, Probed.Value[(int)limit].Name, 0, null, new LimitSupport(limit, null, "it was made unavailable for this test"))
        : Probed.Value[(int)limit];

    /// <summary>Creates one run's cgroup v1 directory for <paramref name="controller"/> (under <c>tether-PID</c>).</summary>
    public static string CreateV1Group(Controller controller)
    {
        var parent = controller.V1RunsParent!;
        lock (CreateLock)
        {
            if (!Directory.Exists(parent))
            {
                Directory.CreateDirectory(parent);
                CgroupHierarchy.HoldOwnership(parent);
                CgroupHierarchy.SweepStaleSiblings(Path.GetDirectoryName(parent)!);

                // The warden cleans the v2 hierarchy after a crash; these go at a normal exit, or by the next host's sweep.
                AppDomain.CurrentDomain.ProcessExit += (_, _) =>
                {
                    try
                    {
                        Directory.Delete(parent);
                    }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                    {
                    }
                };
            }
        }

        var path = Path.Combine(parent, "run-" + Interlocked.Increment(ref _nextGroup).ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(path);
        return path;
    }

    private static int _v2Enablements;

    /// <summary>How many times a controller was enabled for the v2 leaves (<see cref="EnableV2"/>) in this process.</summary>
    public static int V2Enablements => Volatile.Read(ref _v2Enablements);

    /// <summary>
    /// Makes <paramref name="controller"/> available in the v2 leaves under <paramref name="runsParent"/> (writes
    /// <c>+NAME</c> to its <c>cgroup.subtree_control</c>); returns the error, or null.
    /// </summary>
    public static string? EnableV2(Controller controller, string runsParent)
    {
        // Counted before the write: a leaf that remembered a controller file as absent looks again from now on.
        Interlocked.Increment(ref _v2Enablements);
        var file = Path.Combine(runsParent, "cgroup.subtree_control");
        var errno = KernelFile.Write(file, Encoding.ASCII.GetBytes("+" + controller.Name));
        return errno == 0 ? null : $"enabling the {controller.Name} controller in {file} failed: {Libc.ErrorText(errno)}";
    }

    private static ImmutableArray<Controller> Probe()
    {
        var v1Mounts = new Dictionary<string, string>(StringComparer.Ordinal);
        var v1Paths = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            foreach (var line in File.ReadLines("/proc/self/mountinfo"))
            {
                // "35 25 0:30 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory"
                var separator = line.IndexOf(" - ", StringComparison.Ordinal);
                if (separator < 0)
                {
                    continue;
                }

                var tail = line[(separator + 3)..].Split(' ');
                var fields = line[..separator].Split(' ');
                if (tail.Length < 3 || tail[0] != "cgroup" || fields.Length < 5 || fields[3] != "/")
                {
                    continue;
                }

                foreach (var option in tail[2].Split(','))
                {
                    v1Mounts.TryAdd(option, fields[4]);
                }
            }

            foreach (var line in File.ReadLines("/proc/self/cgroup"))
            {
                // "4:memory:/some/path" (v1) or "0::/path" (v2)
                var parts = line.Split(':', 3);
                if (parts.Length == 3 && parts[1].Length > 0)
                {
                    foreach (var name in parts[1].Split(','))
                    {
                        v1Paths.TryAdd(name, parts[2]);
                    }
                }
            }
        }
        catch (IOException)
        {
            // No /proc: every controller below reports itself unavailable.
        }

        var report = CgroupHierarchy.Report;
        var delegated = report.CgroupAvailable && report.CgroupPath is { } own
            ? ReadWords(Path.Combine(own, "cgroup.subtree_control"))
            : [];
        return
        [
            Find(TreeLimit.Memory, "memory"),
            Find(TreeLimit.Cpu, "cpu"),
            Find(TreeLimit.Processes, "pids"),
        ];

        Controller Find(TreeLimit limit, string name)
        {
            if (delegated.Contains(name))
            {
                return new Controller(limit, name, 2, null, new LimitSupport(limit, $"cgroup v2 {name} controller under {report.CgroupPath}", null));
            }

            var v2Reason = report.CgroupAvailable
                ? $"cgroup v2 at {report.CgroupPath} does not delegate the {name} controller (not in its cgroup.subtree_control)"
                : $"no cgroup v2 ({report.CgroupUnavailableReason})";
            if (!v1Mounts.TryGetValue(name, out var mount))
            {
                return new Controller(limit, name, 0, null, new LimitSupport(limit, null, $"{v2Reason}, and no cgroup v1 {name} hierarchy is mounted"));
            }

            var relative = v1Paths.GetValueOrDefault(name, "/");
            var directory = (mount.TrimEnd('/') + relative).TrimEnd('/');
            if (!CanWrite(directory))
            {
                return new Controller(limit, name, 0, null, new LimitSupport(limit, null, $"{v2Reason}, and the cgroup v1 {name} directory {directory} is not writable by this user"));
            }

            var parent = Path.Combine(directory, "tether-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
            return new Controller(limit, name, 1, parent, new LimitSupport(limit, $"cgroup v1 {name} controller at {directory}", null));
        }
    }

    private static HashSet<string> ReadWords(string file)
    {
        try
        {
            return [.. File.ReadAllText(file).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static unsafe bool CanWrite(string path)
    {
        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = bytes)
        {
            return Libc.access(p, 2 /* W_OK */) == 0;
        }
    }

    /// <summary>One controller: which cgroup version enforces it here (0: none), and where v1 run groups go.</summary>
    internal sealed record Controller(TreeLimit Limit, string Name, int Version, string? V1RunsParent, LimitSupport Support);
}
