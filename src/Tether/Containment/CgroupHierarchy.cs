using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Tether.Interop;

namespace Tether.Internal;

/// <summary>
/// The cgroup v2 hierarchy this process can create run leaves in: found from <c>/proc/self/mountinfo</c> (the
/// cgroup2 mount is not always at <c>/sys/fs/cgroup</c>; on hybrid hosts it is at <c>/sys/fs/cgroup/unified</c>) and
/// <c>/proc/self/cgroup</c>. Leaves live under one directory per host process, <c>tether-PID</c>, beside this process's
/// own cgroup, so that the warden can kill and remove them all at once if the host dies.
/// </summary>
internal static class CgroupHierarchy
{
    private static readonly Lazy<(ContainmentReport Report, string? RunsParent)> Probed = new(ProbeHost);
    private static readonly Lock CreateLock = new();
    private static bool _parentCreated;
    private static long _nextLeaf;
    private static CgroupLeaf? _spare;

    /// <summary>The number in the name of the leaf made last (<c>run-N</c>); for the specs.</summary>
    internal static long LastLeafNumber => Volatile.Read(ref _nextLeaf);

    /// <summary>For benchmarks: runs in this async flow get a new leaf each, which they remove when they end.</summary>
    internal static AsyncLocal<bool> FreshLeaves { get; } = new();

    /// <summary>How many empty leaves wait for reuse at most; a leaf retired beyond that is removed.</summary>
    internal const int ReusableLeaves = 32;

    /// <summary>Empty leaves of finished runs (with their open files), with each one's CPU time so far, waiting for the
    /// next run.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentStack<(CgroupLeafFiles Files, TimeSpan Cpu)> Reusable = new();
    private static int _reusableCount;

    /// <summary>The ownership locks of this process's <c>tether-PID</c> directories, held until it exits.</summary>
    private static readonly List<Microsoft.Win32.SafeHandles.SafeFileHandle> OwnershipLocks = [];

    public static ContainmentReport Report => Probed.Value.Report;

    /// <summary>The per-host directory that holds the run leaves, or null without cgroups.</summary>
    public static string? RunsParent => Probed.Value.RunsParent;

    /// <summary>
    /// An empty leaf cgroup for one run: an earlier run's (see <see cref="Recycle"/>) when one waits, else the one made
    /// ahead of time by <see cref="PrepareSpareLeaf"/>, else one made now.
    /// </summary>
    public static CgroupLeaf CreateLeaf()
    {
        if (FreshLeaves.Value)
        {
            return new CgroupLeaf(MakeLeaf().Path, reusable: false);
        }

        while (Reusable.TryPop(out var reusable))
        {
            Interlocked.Decrement(ref _reusableCount);
            if (Directory.Exists(reusable.Files.Path))
            {
                return new CgroupLeaf(reusable.Files, reusable.Cpu);
            }

            reusable.Files.Close();
        }

        return Interlocked.Exchange(ref _spare, null) is { } spare && Directory.Exists(spare.Path) ? spare : MakeLeaf();
    }

    /// <summary>
    /// Keeps the empty leaf of a finished run for the next run, which is then created in a cgroup the kernel already
    /// knows (a fresh one costs its <c>mkdir</c>, its <c>rmdir</c> and, for its first process, more than the spawn
    /// itself); beyond <see cref="ReusableLeaves"/> it is removed. <paramref name="cpu"/> is the leaf's CPU time so far,
    /// which the next run's figure starts from. Leaves that wait are removed with the others when this process ends
    /// (by the warden).
    /// </summary>
    internal static void Recycle(CgroupLeafFiles files, TimeSpan cpu)
    {
        if (Interlocked.Increment(ref _reusableCount) > ReusableLeaves)
        {
            Interlocked.Decrement(ref _reusableCount);
            files.Close();
            try
            {
                Directory.Delete(files.Path);
            }
            catch (IOException)
            {
                // Not empty after all, or gone: the warden removes what is left when this process ends.
            }

            return;
        }

        Reusable.Push((files, cpu));
    }

    /// <summary>
    /// Makes the next run's leaf ahead of time unless one is waiting already, so that its <c>mkdir</c> is off the next
    /// run's critical path. Called by a <see cref="CgroupGate"/> thread once it released a child, while the spawning
    /// thread waits for that child's exec anyway. An unused spare is removed with the other leaves when this process
    /// ends (by the warden).
    /// </summary>
    public static void PrepareSpareLeaf()
    {
        if (Volatile.Read(ref _spare) is not null || RunsParent is null)
        {
            return;
        }

        try
        {
            var leaf = MakeLeaf();
            if (Interlocked.CompareExchange(ref _spare, leaf, null) is not null)
            {
                leaf.TryRemove();
            }
        }
        catch (ProcessIOException)
        {
            // The next run makes its leaf itself and reports what is wrong.
        }
    }

    /// <summary>Makes a leaf now (never the spare); the benchmarks time it.</summary>
    internal static CgroupLeaf MakeLeaf()
    {
        var parent = RunsParent ?? throw new UnsupportedException(
            $"This run asks for a cgroup, but none is available: {Report.CgroupUnavailableReason}");
        EnsureParent(parent);

        // A leaf must be new: one left by a host that had this pid before (every host that is pid 1 of its namespace
        // is tether-1) may still be another host's, or may have been killed, and the kernel kills every child later
        // created inside a killed cgroup. So a name that is taken is skipped, never joined.
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var path = Path.Combine(parent, "run-" + Interlocked.Increment(ref _nextLeaf).ToString(CultureInfo.InvariantCulture));
            if (Libc.mkdir(path, 0b111_101_101) == 0)
            {
                return new CgroupLeaf(path);
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno != Libc.EEXIST)
            {
                throw new ProcessIOException($"Could not create the run's cgroup {path}: {Libc.ErrorText(errno)}.");
            }
        }

        throw new ProcessIOException($"Could not create a cgroup for the run: a thousand names in {parent} were taken already. Remove the run-* directories there that no process uses.");
    }

    private static void EnsureParent(string parent)
    {
        if (Volatile.Read(ref _parentCreated))
        {
            return;
        }

        lock (CreateLock)
        {
            if (_parentCreated)
            {
                return;
            }

            try
            {
                Directory.CreateDirectory(parent);
                HoldOwnership(parent);
                SweepStaleSiblings(Path.GetDirectoryName(parent)!);

                // The warden cleans up after a crash. At a normal exit the leaves that wait for reuse, and the
                // directory once it is empty, go now: the warden of a host that is pid 1 of its namespace dies with it.
                AppDomain.CurrentDomain.ProcessExit += (_, _) => RemoveWaitingLeaves(parent);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new ProcessIOException($"Could not create the cgroup directory {parent} for this process's runs: {ex.Message}", ex);
            }

            Volatile.Write(ref _parentCreated, true);
        }
    }

    /// <summary>Removes the empty leaves that wait for reuse, the spare, and then <paramref name="parent"/> if it is empty.</summary>
    private static void RemoveWaitingLeaves(string parent)
    {
        var waiting = new List<string>();
        while (Reusable.TryPop(out var reusable))
        {
            Interlocked.Decrement(ref _reusableCount);
            reusable.Files.Close();
            waiting.Add(reusable.Files.Path);
        }

        if (Interlocked.Exchange(ref _spare, null) is { } spare)
        {
            waiting.Add(spare.Path);
        }

        foreach (var path in waiting.Append(parent))
        {
            try
            {
                Directory.Delete(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // In use or gone; the warden, or the next host's sweep, removes what is left.
            }
        }
    }

    /// <summary>
    /// Takes a shared <c>flock</c> on this process's <c>tether-PID</c> directory <paramref name="parent"/> for the rest of
    /// its life (the kernel drops it when the process dies): the proof of life another host's
    /// <see cref="SweepStaleSiblings"/> asks for. A pid alone proves nothing across pid namespaces: a host inside a
    /// container sees none of the pids outside it, and would otherwise take a live host's empty leaves (a spare, or one
    /// whose child is about to join it) for a dead host's.
    /// </summary>
    internal static void HoldOwnership(string parent)
    {
        var handle = Libc.Open(parent, OpenFlags.ReadOnly | OpenFlags.Directory | OpenFlags.CloseOnExec, 0);
        if (handle.IsInvalid || Libc.flock(handle, Libc.LockOperations.Shared | Libc.LockOperations.NonBlocking) != 0)
        {
            // Without the lock this host is protected by its pid alone, as before: not a reason to refuse runs.
            handle.Dispose();
            return;
        }

        lock (OwnershipLocks)
        {
            OwnershipLocks.Add(handle);
        }
    }

    /// <summary>Removes empty run directories (<c>tether-PID/…</c> below <paramref name="directory"/>) left by hosts that
    /// died without their warden (best effort): the v2 leaves here, and the v1 limit groups of <see cref="CgroupControllers"/>.
    /// A directory is a dead host's only when no process of that pid is visible here and nobody holds its ownership lock
    /// (<see cref="HoldOwnership"/>); it stays locked while it is emptied.</summary>
    internal static void SweepStaleSiblings(string directory)
    {
        foreach (var sibling in Directory.EnumerateDirectories(directory, "tether-*"))
        {
            var name = Path.GetFileName(sibling);
            if (!int.TryParse(name.AsSpan("tether-".Length), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ||
                pid == Environment.ProcessId || Directory.Exists("/proc/" + pid.ToString(CultureInfo.InvariantCulture)))
            {
                continue;
            }

            using var owner = Libc.Open(sibling, OpenFlags.ReadOnly | OpenFlags.Directory | OpenFlags.CloseOnExec, 0);
            if (owner.IsInvalid || Libc.flock(owner, Libc.LockOperations.Exclusive | Libc.LockOperations.NonBlocking) != 0)
            {
                continue; // gone already, or its host lives (in another pid namespace)
            }

            try
            {
                foreach (var leaf in Directory.EnumerateDirectories(sibling))
                {
                    Directory.Delete(leaf);
                }

                Directory.Delete(sibling);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Still populated or not ours to remove: leave it.
            }
        }
    }

    private static (ContainmentReport, string?) ProbeHost()
    {
        var shell = File.Exists("/bin/sh") ? "/bin/sh" : null;
        string? mount = null;
        try
        {
            foreach (var line in File.ReadLines("/proc/self/mountinfo"))
            {
                // "36 25 0:31 / /sys/fs/cgroup/unified rw,... - cgroup2 cgroup2 rw"
                var separator = line.IndexOf(" - ", StringComparison.Ordinal);
                if (separator < 0 || !line.AsSpan(separator + 3).StartsWith("cgroup2 ", StringComparison.Ordinal))
                {
                    continue;
                }

                var fields = line[..separator].Split(' ');
                if (fields.Length >= 5)
                {
                    mount = Unescape(fields[4]);
                    break;
                }
            }
        }
        catch (IOException ex)
        {
            return (new ContainmentReport(false, null, null, $"/proc/self/mountinfo could not be read ({ex.Message})", shell), null);
        }

        if (mount is null)
        {
            return (new ContainmentReport(false, null, null, "no cgroup2 filesystem is mounted (see /proc/self/mountinfo)", shell), null);
        }

        string? relative = null;
        try
        {
            foreach (var line in File.ReadLines("/proc/self/cgroup"))
            {
                if (line.StartsWith("0::", StringComparison.Ordinal))
                {
                    relative = line[3..];
                    break;
                }
            }
        }
        catch (IOException ex)
        {
            return (new ContainmentReport(false, mount, null, $"/proc/self/cgroup could not be read ({ex.Message})", shell), null);
        }

        if (relative is null)
        {
            return (new ContainmentReport(false, mount, null, "this process has no cgroup v2 membership in /proc/self/cgroup", shell), null);
        }

        var own = (mount.TrimEnd('/') + relative).TrimEnd('/');
        if (own.Length == 0)
        {
            own = "/";
        }

        // The root cgroup has no cgroup.kill of its own; the leaves we create under it do when the kernel has it (5.14+).
        if (!File.Exists(Path.Combine(own, "cgroup.kill")) && !(relative == "/" && KernelAtLeast(5, 14)))
        {
            return (new ContainmentReport(false, mount, own, $"{own} has no cgroup.kill (the kernel is older than 5.14)", shell), null);
        }

        if (!Writable(own) || !Writable(Path.Combine(own, "cgroup.procs")))
        {
            return (new ContainmentReport(false, mount, own, $"{own} is not writable by this user (no delegated cgroup)", shell), null);
        }

        var parent = Path.Combine(own, "tether-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        return (new ContainmentReport(true, mount, own, null, shell), parent);
    }

    private static bool KernelAtLeast(int major, int minor)
    {
        try
        {
            var release = File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
            var parts = release.Split('.', '-');
            return parts.Length >= 2 &&
                int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var kernelMajor) &&
                int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var kernelMinor) &&
                (kernelMajor > major || (kernelMajor == major && kernelMinor >= minor));
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static unsafe bool Writable(string path)
    {
        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = bytes)
        {
            return Libc.access(p, Libc.W_OK) == 0;
        }
    }

    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var builder = new StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length)
            {
                builder.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                builder.Append(field[i]);
            }
        }

        return builder.ToString();
    }
}
