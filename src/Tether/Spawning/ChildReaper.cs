using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Tether.Interop;
using Tether.Internal;

namespace Tether.Spawning;

/// <summary>
/// Learns that children exited without polling: one background thread waits in <c>epoll_wait</c> on a pidfd per
/// child, and reaps each with <c>wait4</c> (which also yields its CPU time and peak memory) as soon as it is readable.
/// Kernels without pidfd fall back to one blocking <c>wait4</c> per child on a dedicated thread.
/// </summary>
internal sealed unsafe class ChildReaper
{
    private static readonly Lazy<ChildReaper> Shared = new(() => new ChildReaper());
    private readonly ConcurrentDictionary<ulong, Registration> _registrations = new();
    private readonly int _epoll;
    private long _nextId;

    private ChildReaper()
    {
        _epoll = Libc.epoll_create1(Libc.EPOLL_CLOEXEC);
        if (_epoll < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new ProcessIOException($"Cannot create the epoll instance that watches child exits: {Libc.ErrorText(errno)}.");
        }

        var thread = new Thread(Loop) { IsBackground = true, Name = "Tether child reaper" };
        thread.Start();
    }

    public static ChildReaper Instance => Shared.Value;

    /// <summary>Starts watching <paramref name="pid"/>; the task completes once it exited and was reaped.</summary>
    public Task<ExitStatus> Watch(int pid) => Watch(pid, reaped: null);

    /// <summary>
    /// Starts watching <paramref name="pid"/>; the task completes once it exited and was reaped. <paramref name="reaped"/>
    /// (when given) then runs on the reaper's own thread, beside the task's continuations, which run on the pool: for
    /// clean-up that must follow the exit but need not delay whoever awaits it. It must not throw or block.
    /// </summary>
    public Task<ExitStatus> Watch(int pid, Action<ExitStatus>? reaped)
    {
        var registration = new Registration(pid) { Reaped = reaped };
        var pidfd = (int)Libc.syscall(Libc.SYS_pidfd_open, pid, 0);
        if (pidfd < 0)
        {
            var thread = new Thread(() => Reap(registration)) { IsBackground = true, Name = $"Tether wait4 {pid}" };
            thread.Start();
            return registration.Exit.Task;
        }

        registration.Pidfd = pidfd;
        var id = (ulong)Interlocked.Increment(ref _nextId);
        _registrations[id] = registration;
        var ev = new Libc.EpollEvent { Events = Libc.EPOLLIN, Data = id };
        if (Libc.epoll_ctl(_epoll, Libc.EPOLL_CTL_ADD, pidfd, &ev) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            _registrations.TryRemove(id, out _);
            Libc.close(pidfd);
            registration.Exit.TrySetException(new ProcessIOException($"Cannot watch pid {pid} for exit: {Libc.ErrorText(errno)}."));
        }

        return registration.Exit.Task;
    }

    private void Loop()
    {
        const int MaxEvents = 64;
        var events = stackalloc Libc.EpollEvent[MaxEvents];
        while (true)
        {
            var count = Libc.epoll_wait(_epoll, events, MaxEvents, -1);
            if (count < 0)
            {
                continue; // EINTR
            }

            for (var i = 0; i < count; i++)
            {
                if (!_registrations.TryRemove(events[i].Data, out var registration))
                {
                    continue;
                }

                Libc.epoll_ctl(_epoll, Libc.EPOLL_CTL_DEL, registration.Pidfd, null);
                Libc.close(registration.Pidfd);
                Reap(registration);
            }
        }
    }

    private static void Reap(Registration registration)
    {
        while (true)
        {
            var result = Libc.wait4(registration.Pid, out var status, 0, out var usage);
            if (result == registration.Pid)
            {
                var cpu = TimeSpan.FromTicks(
                    (usage.UserTime.Seconds + usage.SystemTime.Seconds) * TimeSpan.TicksPerSecond +
                    (usage.UserTime.Microseconds + usage.SystemTime.Microseconds) * TimeSpan.TicksPerMicrosecond);
                var exit = ExitStatus.FromWaitStatus(status, cpu, usage.MaxRssKilobytes * 1024);
                registration.Exit.TrySetResult(exit);
                registration.Reaped?.Invoke(exit);
                return;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (result < 0 && errno == Libc.EINTR)
            {
                continue;
            }

            registration.Exit.TrySetException(new ProcessIOException(
                $"Could not reap pid {registration.Pid} ({Libc.ErrorText(errno)}): something else in this process waited for it (is SIGCHLD ignored?)."));
            return;
        }
    }

    private sealed class Registration(int pid)
    {
        public int Pid { get; } = pid;

        public int Pidfd { get; set; } = -1;

        public Action<ExitStatus>? Reaped { get; init; }

        public TaskCompletionSource<ExitStatus> Exit { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
