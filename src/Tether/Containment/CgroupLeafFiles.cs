using Microsoft.Win32.SafeHandles;
using Tether.Interop;

namespace Tether.Internal;

/// <summary>
/// One leaf directory and the files every run of it reads, each opened once and kept while the leaf serves runs: a
/// run then spawns into the directory's descriptor and reads <c>cpu.stat</c> and <c>cgroup.events</c> with one
/// <c>pread</c> each, where opening them by path cost a path walk, an open and a close every time. The descriptors
/// travel with the leaf when it waits for its next run (<see cref="CgroupHierarchy.Recycle"/>) and are closed before
/// its <c>rmdir</c>.
/// </summary>
/// <remarks>
/// Not thread-safe: its owner (a <see cref="CgroupLeaf"/> under its lock, or the hierarchy's pool) is the only user,
/// and no descriptor is read after <see cref="Close"/>, so a number the kernel gave to another file since is never
/// read by mistake.
/// </remarks>
internal sealed class CgroupLeafFiles(string path)
{
    private int _directory = -1;
    private SafeFileHandle? _cpuStat;
    private SafeFileHandle? _events;
    private int _memoryPeakAbsentSince = -1;

    public string Path { get; } = path;

    /// <summary>The leaf directory's descriptor (close on exec), for creating a child inside it; owned here.</summary>
    public int Directory()
    {
        if (_directory < 0)
        {
            var fd = KernelFile.OpenDirectory(Path, out var errno);
            _directory = fd >= 0 ? fd : throw new ProcessIOException($"Could not open the run's cgroup {Path}: {Libc.ErrorText(errno)}.");
        }

        return _directory;
    }

    /// <summary>Reads <c>cpu.stat</c> from its start; the count, or -1.</summary>
    public int ReadCpuStat(Span<byte> buffer) => ReadFromStart(ref _cpuStat, "/cpu.stat", buffer);

    /// <summary>Reads <c>cgroup.events</c> from its start; the count, or -1.</summary>
    public int ReadEvents(Span<byte> buffer) => ReadFromStart(ref _events, "/cgroup.events", buffer);

    /// <summary>
    /// Reads <c>memory.peak</c>; the count, or -1 when the file is not there. The memory controller only comes to a
    /// leaf when it is enabled above it (<see cref="CgroupControllers.EnableV2"/>), so an absence found is remembered
    /// until the next time a controller is enabled.
    /// </summary>
    public int ReadMemoryPeak(Span<byte> buffer)
    {
        var changes = CgroupControllers.V2Enablements;
        if (_memoryPeakAbsentSince == changes)
        {
            return -1;
        }

        var length = KernelFile.Read(Path + "/memory.peak", buffer);
        _memoryPeakAbsentSince = length < 0 && !File.Exists(Path + "/memory.peak") ? changes : -1;
        return length;
    }

    /// <summary>Closes every descriptor (before the directory is removed, or when it is given up).</summary>
    public void Close()
    {
        if (_directory >= 0)
        {
            Libc.close(_directory);
            _directory = -1;
        }

        _cpuStat?.Dispose();
        _events?.Dispose();
        (_cpuStat, _events) = (null, null);
    }

    private int ReadFromStart(ref SafeFileHandle? file, string name, Span<byte> buffer)
    {
        file ??= KernelFile.OpenRead(Path + name);
        return file is null ? -1 : KernelFile.ReadFromStart(file, buffer);
    }
}
