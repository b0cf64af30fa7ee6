using System.Runtime.InteropServices;
using Tether.Interop;

namespace Tether.Watch;

/// <summary>
/// What <c>/proc</c> said about the processes that send beats, kept for as long as each process lives so that a beat
/// from a known agent costs one <c>poll</c> instead of opening and parsing <c>/proc/PID/stat</c> and following
/// <c>/proc/PID/ns/pid</c>. Each kept process is held by a pidfd, which becomes readable when that process exits: a
/// readable pidfd drops the entry, and the next beat naming that pid reads <c>/proc</c> afresh, so a reused pid is seen
/// with its new start time exactly as without the cache.
/// </summary>
/// <remarks>
/// Used by one receive thread only. The facts of a live process cannot change: the start time is fixed at fork, and a
/// process never moves to another PID namespace (<c>setns</c> only affects its future children). An entry is kept only
/// when its pidfd, opened before <c>/proc</c> was read, is still unreadable after the read — so what was read is that
/// process's. At most <see cref="Capacity"/> processes are kept (each holds a file descriptor); beyond that, and for a
/// pid with no process or a thread id (no pidfd), facts are read without keeping them, as before.
/// </remarks>
internal sealed class LiveProcessFacts : IDisposable
{
    /// <summary>How many processes are kept at most: each costs the watcher a file descriptor.</summary>
    public const int Capacity = 256;

    private readonly Dictionary<int, Entry> _entries = [];

    // When full, a sweep for exited processes (one poll over every pidfd) runs at most once per this many misses.
    private int _missesBeforeSweep;

    /// <summary>How many processes are kept now.</summary>
    public int Count => _entries.Count;

    /// <summary>The start time of <paramref name="pid"/> (see <see cref="ProcessFacts.StartTime"/>).</summary>
    public ulong? StartTime(int pid)
    {
        if (Live(pid) is not { } entry)
        {
            return ProcessFacts.StartTime(pid);
        }

        if (!entry.StartTimeRead)
        {
            entry.StartTime = ProcessFacts.StartTime(pid);
            entry.StartTimeRead = entry.StartTime is not null; // an unknown answer is asked again next time
            KeepIfStillLive(pid, entry);
        }

        return entry.StartTime;
    }

    /// <summary>Whether <paramref name="pid"/> lives in the watcher's PID namespace (see <see cref="ProcessFacts.SameNamespace"/>).</summary>
    public bool? SameNamespace(int pid)
    {
        if (Live(pid) is not { } entry)
        {
            return ProcessFacts.SameNamespace(pid);
        }

        if (!entry.NamespaceRead)
        {
            entry.SameNamespace = ProcessFacts.SameNamespace(pid);
            entry.NamespaceRead = entry.SameNamespace is not null; // an unknown answer is asked again next time
            KeepIfStillLive(pid, entry);
        }

        return entry.SameNamespace;
    }

    /// <summary>Closes every pidfd.</summary>
    public void Dispose()
    {
        foreach (var entry in _entries.Values)
        {
            Libc.close(entry.Pidfd);
        }

        _entries.Clear();
    }

    /// <summary>
    /// The entry of the live process that has <paramref name="pid"/> now — kept, or new (its pidfd opened now) — or
    /// null when it cannot be kept: no such process, a thread id, no room.
    /// </summary>
    private Entry? Live(int pid)
    {
        if (pid <= 1 || !OperatingSystem.IsLinux())
        {
            return null;
        }

        if (_entries.TryGetValue(pid, out var kept))
        {
            if (!HasExited(kept.Pidfd))
            {
                return kept;
            }

            Drop(pid, kept);
        }

        if (_entries.Count >= Capacity && !MadeRoom())
        {
            return null;
        }

        var pidfd = (int)Libc.syscall(Libc.SYS_pidfd_open, pid, 0); // always close-on-exec
        if (pidfd < 0)
        {
            return null;
        }

        var entry = new Entry(pidfd);
        _entries[pid] = entry;
        return entry;
    }

    /// <summary>After a read: the entry stays only if its process is still the one the pidfd holds.</summary>
    private void KeepIfStillLive(int pid, Entry entry)
    {
        if (HasExited(entry.Pidfd))
        {
            Drop(pid, entry);
        }
    }

    private void Drop(int pid, Entry entry)
    {
        _entries.Remove(pid);
        Libc.close(entry.Pidfd);
    }

    /// <summary>When full: drops every exited process in one poll, at most once per <see cref="Capacity"/> misses.</summary>
    private unsafe bool MadeRoom()
    {
        if (_missesBeforeSweep > 0)
        {
            _missesBeforeSweep--;
            return false;
        }

        _missesBeforeSweep = Capacity;
        var pids = new int[_entries.Count];
        var descriptors = new Libc.PollDescriptor[_entries.Count];
        var n = 0;
        foreach (var (pid, entry) in _entries)
        {
            pids[n] = pid;
            descriptors[n++] = new Libc.PollDescriptor { Fd = entry.Pidfd, Events = Libc.POLLIN };
        }

        fixed (Libc.PollDescriptor* all = descriptors)
        {
            if (Libc.poll(all, (nuint)n, 0) < 0)
            {
                return false;
            }
        }

        for (var i = 0; i < n; i++)
        {
            if (descriptors[i].ReturnedEvents != 0)
            {
                Drop(pids[i], _entries[pids[i]]);
            }
        }

        return _entries.Count < Capacity;
    }

    /// <summary>True when the process behind <paramref name="pidfd"/> has exited (or the pidfd cannot say).</summary>
    private static unsafe bool HasExited(int pidfd)
    {
        var descriptor = new Libc.PollDescriptor { Fd = pidfd, Events = Libc.POLLIN };
        while (true)
        {
            var ready = Libc.poll(&descriptor, 1, 0);
            if (ready >= 0)
            {
                return ready > 0;
            }

            if (Marshal.GetLastPInvokeError() != Libc.EINTR)
            {
                return true;
            }
        }
    }

    private sealed class Entry(int pidfd)
    {
        public int Pidfd { get; } = pidfd;

        public ulong? StartTime { get; set; }

        public bool StartTimeRead { get; set; }

        public bool? SameNamespace { get; set; }

        public bool NamespaceRead { get; set; }
    }
}
