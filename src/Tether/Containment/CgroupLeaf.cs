using System.Buffers;
using System.Globalization;

namespace Tether.Internal;

/// <summary>One run's own cgroup v2 directory: every process of the run's tree stays in it, whatever it does.</summary>
internal sealed class CgroupLeaf
{
    private readonly string _events;
    private readonly string _cpuStat;
    private readonly string _kill;
    private readonly string _freeze;
    private readonly string _memoryPeak;
    private readonly Lock _retireLock = new();
    private bool _retired;
    private TimeSpan? _finalCpu;
    private long? _finalPeak;
    private int _stagesLeft;

    public CgroupLeaf(string path)
    {
        Path = path;
        ProcsFile = path + "/cgroup.procs";
        _events = path + "/cgroup.events";
        _cpuStat = path + "/cpu.stat";
        _kill = path + "/cgroup.kill";
        _freeze = path + "/cgroup.freeze";
        _memoryPeak = path + "/memory.peak";
    }

    public string Path { get; }

    /// <summary>The file a process is moved into the cgroup through (its pid is written there).</summary>
    public string ProcsFile { get; }

    /// <summary>Opens the leaf's directory (close on exec), for creating a child inside it; the caller closes it.</summary>
    public int OpenDirectory()
    {
        var fd = KernelFile.OpenDirectory(Path, out var errno);
        return fd >= 0 ? fd : throw new ProcessIOException($"Could not open the run's cgroup {Path}: {Interop.Libc.ErrorText(errno)}.");
    }

    /// <summary>SIGKILLs every process in the cgroup, atomically with respect to forks.</summary>
    public void Kill() => Write(_kill, 1);

    public void Freeze(bool frozen) => Write(_freeze, frozen ? 1 : 0);

    public IReadOnlyList<int> Processes()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            var length = KernelFile.Read(ProcsFile, buffer);
            var pids = new List<int>();
            var content = buffer.AsSpan(0, Math.Max(length, 0));
            while (!content.IsEmpty)
            {
                var end = content.IndexOf((byte)'\n');
                var line = end < 0 ? content : content[..end];
                if (int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                {
                    pids.Add(pid);
                }

                content = end < 0 ? [] : content[(end + 1)..];
            }

            return pids;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public bool IsPopulated()
    {
        Span<byte> buffer = stackalloc byte[256];
        var length = KernelFile.Read(_events, buffer);
        return length > 0 && KernelFile.FindValue(buffer[..length], "populated "u8) == 1;
    }

    /// <summary>Total CPU time of every process that ever ran in the cgroup, from <c>cpu.stat</c> (as it was when the leaf
    /// was retired, once it is).</summary>
    public TimeSpan? CpuUsage()
    {
        if (Volatile.Read(ref _retired))
        {
            return _finalCpu;
        }

        Span<byte> buffer = stackalloc byte[1024];
        var length = KernelFile.Read(_cpuStat, buffer);
        return length > 0 && KernelFile.FindValue(buffer[..length], "usage_usec "u8) is { } usec ? TimeSpan.FromMicroseconds(usec) : null;
    }

    /// <summary>The tree's peak memory from <c>memory.peak</c>, or null when the memory controller is not enabled here.</summary>
    public long? MemoryPeak()
    {
        if (Volatile.Read(ref _retired))
        {
            return _finalPeak;
        }

        Span<byte> buffer = stackalloc byte[32];
        var length = KernelFile.Read(_memoryPeak, buffer);
        return length > 0 && long.TryParse(buffer[..length].TrimEnd((byte)'\n'), NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) ? bytes : null;
    }

    /// <summary>
    /// Arranges for the leaf to be retired (see <see cref="TryRetire"/>) as soon as the last of <paramref name="stages"/>
    /// stages was reaped: returns the callback to give <see cref="Spawning.ChildReaper"/> for each stage.
    /// </summary>
    public Action RetireAfterStages(int stages)
    {
        _stagesLeft = stages;
        return () =>
        {
            if (Interlocked.Decrement(ref _stagesLeft) == 0)
            {
                // On the reaper's thread, while the run's completion goes on on the pool: the CPU time read and the
                // rmdir are off the path of whoever awaits the run. A descendant still inside leaves it to teardown,
                // and so does any failure here (the reaper's thread must go on).
                try
                {
                    TryRetire(out _, out _);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                }
            }
        };
    }

    /// <summary>
    /// Reads the final CPU time and peak memory and removes the directory, once, from any thread; returns false (with
    /// the figures as they are now) while processes remain, and later calls try again.
    /// </summary>
    public bool TryRetire(out TimeSpan? cpu, out long? peak)
    {
        lock (_retireLock)
        {
            if (_retired)
            {
                (cpu, peak) = (_finalCpu, _finalPeak);
                return true;
            }

            (cpu, peak) = (CpuUsage(), MemoryPeak());
            if (!TryRemove())
            {
                return false;
            }

            (_finalCpu, _finalPeak) = (cpu, peak);
            Volatile.Write(ref _retired, true);
            return true;
        }
    }

    /// <summary>Removes the (empty) directory; returns false while processes remain.</summary>
    public bool TryRemove()
    {
        try
        {
            Directory.Delete(Path);
            return true;
        }
        catch (DirectoryNotFoundException)
        {
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private void Write(string file, int value)
    {
        var errno = KernelFile.WriteNumber(file, value);
        if (errno != 0 && Directory.Exists(Path))
        {
            throw new ProcessIOException($"Could not write {System.IO.Path.GetFileName(file)} of cgroup {Path}: {Interop.Libc.ErrorText(errno)}.");
        }
    }
}
