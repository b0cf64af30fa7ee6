using System.Buffers;
using System.Globalization;

namespace Tether.Internal;

/// <summary>
/// One run's own cgroup v2 directory: every process of the run's tree stays in it, whatever it does. Once retired (the
/// run's last process gone) the object never touches the directory again, because another run may be using it by then
/// (<see cref="CgroupHierarchy.Recycle"/>).
/// </summary>
internal sealed class CgroupLeaf
{
    private readonly CgroupLeafFiles _files;
    private readonly string _kill;
    private readonly string _freeze;
    private readonly Lock _retireLock = new();
    private bool _retired;
    private TimeSpan? _finalCpu;
    private long? _finalPeak;
    private int _stagesLeft;
    private readonly TimeSpan _cpuBefore;
    private bool _everFrozen;
    private bool _everKilled;
    private readonly bool _reusable;

    /// <param name="path">The leaf's directory.</param>
    /// <param name="cpuBefore">The CPU time earlier runs in a reused leaf spent, which this run's figure leaves out.</param>
    /// <param name="reusable">Whether the leaf may serve another run once this one ended (see <see cref="TryRetire"/>).</param>
    public CgroupLeaf(string path, TimeSpan cpuBefore = default, bool reusable = true)
        : this(new CgroupLeafFiles(path), cpuBefore, reusable)
    {
    }

    /// <param name="files">The leaf's directory and open files (an earlier run's, when reused); owned from now on.</param>
    /// <param name="cpuBefore">The CPU time earlier runs in a reused leaf spent, which this run's figure leaves out.</param>
    /// <param name="reusable">Whether the leaf may serve another run once this one ended (see <see cref="TryRetire"/>).</param>
    public CgroupLeaf(CgroupLeafFiles files, TimeSpan cpuBefore = default, bool reusable = true)
    {
        _files = files;
        Path = files.Path;
        _cpuBefore = cpuBefore;
        _reusable = reusable;
        ProcsFile = Path + "/cgroup.procs";
        _kill = Path + "/cgroup.kill";
        _freeze = Path + "/cgroup.freeze";
    }

    public string Path { get; }

    /// <summary>The file a process is moved into the cgroup through (its pid is written there).</summary>
    public string ProcsFile { get; }

    /// <summary>The leaf directory's descriptor (close on exec), for creating a child inside it; the leaf owns it, and
    /// it is valid until the leaf is retired.</summary>
    public int DirectoryDescriptor()
    {
        lock (_retireLock)
        {
            ObjectDisposedException.ThrowIf(_retired, this);
            return _files.Directory();
        }
    }

    /// <summary>SIGKILLs every process in the cgroup, atomically with respect to forks; nothing once retired. A leaf that
    /// was killed is not reused (see <see cref="TryRetire"/>).</summary>
    public void Kill()
    {
        lock (_retireLock)
        {
            if (!_retired)
            {
                _everKilled = true;
                Write(_kill, 1);
            }
        }
    }

    /// <summary>Freezes or thaws the tree; nothing once retired. A leaf that was ever frozen is not reused.</summary>
    public void Freeze(bool frozen)
    {
        lock (_retireLock)
        {
            if (!_retired)
            {
                _everFrozen |= frozen;
                Write(_freeze, frozen ? 1 : 0);
            }
        }
    }

    /// <summary>The pids in the cgroup now; none once retired.</summary>
    public IReadOnlyList<int> Processes()
    {
        lock (_retireLock)
        {
            return _retired ? [] : ReadProcesses();
        }
    }

    private List<int> ReadProcesses()
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

    /// <summary>Whether any process is in the cgroup (or a cgroup below it); never once retired.</summary>
    public bool IsPopulated()
    {
        lock (_retireLock)
        {
            return !_retired && ReadPopulated();
        }
    }

    private bool ReadPopulated()
    {
        Span<byte> buffer = stackalloc byte[256];
        var length = _files.ReadEvents(buffer);
        return length > 0 && KernelFile.FindValue(buffer[..length], "populated "u8) == 1;
    }

    /// <summary>Total CPU time of every process of this run in the cgroup, from <c>cpu.stat</c> (as it was when the leaf
    /// was retired, once it is).</summary>
    public TimeSpan? CpuUsage()
    {
        lock (_retireLock)
        {
            if (_retired)
            {
                return _finalCpu;
            }

            return ReadCpu() is { } total ? total - _cpuBefore : null;
        }
    }

    /// <summary>The cgroup's own CPU time counter, earlier runs in it included.</summary>
    private TimeSpan? ReadCpu()
    {
        Span<byte> buffer = stackalloc byte[1024];
        var length = _files.ReadCpuStat(buffer);
        return length > 0 && KernelFile.FindValue(buffer[..length], "usage_usec "u8) is { } usec ? TimeSpan.FromMicroseconds(usec) : null;
    }

    /// <summary>The tree's peak memory from <c>memory.peak</c>, or null when the memory controller is not enabled here.</summary>
    public long? MemoryPeak()
    {
        lock (_retireLock)
        {
            return _retired ? _finalPeak : ReadMemoryPeak();
        }
    }

    private long? ReadMemoryPeak()
    {
        Span<byte> buffer = stackalloc byte[32];
        var length = _files.ReadMemoryPeak(buffer);
        return length > 0 && long.TryParse(buffer[..length].TrimEnd((byte)'\n'), NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) ? bytes : null;
    }

    /// <summary>
    /// Arranges for the leaf to be retired (see <see cref="TryRetire"/>) as soon as the last of <paramref name="stages"/>
    /// stages was reaped: returns the callback to give <see cref="Spawning.ChildReaper"/> for each stage.
    /// </summary>
    public Action<ExitStatus> RetireAfterStages(int stages)
    {
        _stagesLeft = stages;
        return exit =>
        {
            if (exit.Outcome is Outcome.Signalled { Signal.Number: 9 })
            {
                // Killed by someone else, perhaps through this cgroup (see TryRetire): not reused.
                lock (_retireLock)
                {
                    _everKilled = true;
                }
            }

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
    /// Reads the final CPU time and peak memory and gives the empty directory back for reuse or removes it, once, from
    /// any thread; returns false (with the figures as they are now) while processes remain, and later calls try again.
    /// </summary>
    /// <remarks>
    /// A leaf is reused only when nothing of the run can carry over: it was never frozen (<c>cgroup.freeze</c> would
    /// stay set); it was never killed through <c>cgroup.kill</c>, by us or (as far as we can tell: a stage died of
    /// SIGKILL) anyone else, because the kernel then kills every child later created inside it at birth (Linux 6.18
    /// compares the cgroup's kill count with the one it sampled from the parent's cgroup); and it has no
    /// <c>memory.peak</c> (a high-water mark the next run could not start from zero). Its CPU time carries over as a
    /// starting figure the next run subtracts.
    /// </remarks>
    public bool TryRetire(out TimeSpan? cpu, out long? peak)
    {
        lock (_retireLock)
        {
            if (_retired)
            {
                (cpu, peak) = (_finalCpu, _finalPeak);
                return true;
            }

            var total = ReadCpu();
            (cpu, peak) = (total - _cpuBefore, ReadMemoryPeak());
            var reusable = _reusable && !_everFrozen && !_everKilled && peak is null && total is not null && !ReadPopulated();
            if (!reusable && !RemoveDirectory())
            {
                return false;
            }

            (_finalCpu, _finalPeak) = (cpu, peak);
            Volatile.Write(ref _retired, true);
            if (reusable)
            {
                CgroupHierarchy.Recycle(_files, total!.Value);
            }

            return true;
        }
    }

    /// <summary>Removes the (empty) directory; returns false while processes remain, and true once retired (the
    /// directory is no longer this run's to remove).</summary>
    public bool TryRemove()
    {
        lock (_retireLock)
        {
            return _retired || RemoveDirectory();
        }
    }

    private bool RemoveDirectory()
    {
        // Closed first: a descriptor must not outlive the directory it belongs to (they reopen if rmdir fails).
        _files.Close();
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
