using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Tether.Benchmarks;

/// <summary>
/// <c>breakdown [--runs N]</c>: where the time and the allocations of one <c>/bin/true</c> run go, without a profiler.
/// Each run is cut into phases by timestamps: the start call returns; the kernel reports the child exited (a pidfd of
/// our own becomes readable); the library reports the run complete; disposal returns. Medians over N runs.
/// </summary>
internal static partial class Breakdown
{
    private const long SysPidfdOpen = 434;
    private const short PollIn = 0x001;

    public static async Task<int> RunAsync(string[] args)
    {
        var runs = args is ["--runs", var n] && int.TryParse(n, CultureInfo.InvariantCulture, out var parsed) && parsed > 0 ? parsed : 300;
        Console.WriteLine($"Phases of one /bin/true run, median over {runs} runs (after 30 warmup runs); allocations are process-wide bytes per run (median).");
        Console.WriteLine($"{"contender",-22} {"start",9} {"to exit",9} {"exit→done",10} {"dispose",9} {"total",9} | {"alloc start",12} {"alloc rest",11} {"alloc total",12}   (missed exits)");
        await MeasureAsync("Process", runs, ProcessPhasesAsync).ConfigureAwait(false);
        await MeasureAsync("Tether Auto", runs, () => TetherPhasesAsync(ContainmentMode.Auto)).ConfigureAwait(false);
        await MeasureAsync("Tether ProcessGroup", runs, () => TetherPhasesAsync(ContainmentMode.ProcessGroup)).ConfigureAwait(false);

        // The verbs (what the benchmarks call) do not stream lines; they cannot be cut into phases from outside.
        Console.WriteLine();
        Console.WriteLine("Whole runs through the verbs the benchmarks use (no line streaming), median over the same number of runs:");
        await MeasureWholeAsync("Process (benchmark code)", runs, () => Contenders.ProcessContender.ExitCodeAsync("/bin/true")).ConfigureAwait(false);
        await MeasureWholeAsync("Tether Auto ExitCodeAsync", runs, () => Contenders.TetherContender.ExitCodeAsync(ContainmentMode.Auto, "/bin/true")).ConfigureAwait(false);
        await MeasureWholeAsync("Tether PG ExitCodeAsync", runs, () => Contenders.TetherContender.ExitCodeAsync(ContainmentMode.ProcessGroup, "/bin/true")).ConfigureAwait(false);
        await MeasureWholeAsync("Process capture echo", runs, async () => (await Contenders.ProcessContender.OutputStringAsync("/bin/echo", "hello").ConfigureAwait(false)).Length).ConfigureAwait(false);
        await MeasureWholeAsync("Tether Auto capture echo", runs, async () => (await Contenders.TetherContender.OutputStringAsync(ContainmentMode.Auto, "/bin/echo", "hello").ConfigureAwait(false)).Length).ConfigureAwait(false);
        await MeasureWholeAsync("Tether PG capture echo", runs, async () => (await Contenders.TetherContender.OutputStringAsync(ContainmentMode.ProcessGroup, "/bin/echo", "hello").ConfigureAwait(false)).Length).ConfigureAwait(false);
        Console.WriteLine("16 at once (work items are for all 16 runs):");
        await MeasureWholeAsync("Process ×16", Math.Max(10, runs / 10), () => Interleaved.AllAsync(() => Contenders.ProcessContender.ExitCodeAsync("/bin/true"))).ConfigureAwait(false);
        await MeasureWholeAsync("Tether Auto ×16", Math.Max(10, runs / 10), () => Interleaved.AllAsync(() => Contenders.TetherContender.ExitCodeAsync(ContainmentMode.Auto, "/bin/true"))).ConfigureAwait(false);
        await MeasureWholeAsync("Tether PG ×16", Math.Max(10, runs / 10), () => Interleaved.AllAsync(() => Contenders.TetherContender.ExitCodeAsync(ContainmentMode.ProcessGroup, "/bin/true"))).ConfigureAwait(false);
        return 0;
    }

    private static async Task MeasureAsync(string name, int runs, Func<Task<Phases>> once)
    {
        for (var i = 0; i < 30; i++)
        {
            await once().ConfigureAwait(false);
        }

        var samples = new List<Phases>(runs);
        for (var i = 0; i < runs; i++)
        {
            samples.Add(await once().ConfigureAwait(false));
        }

        var withExit = samples.Where(s => s.Exit is not null).ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-22} {Us(samples.Select(s => s.Start))} {Us(withExit.Select(s => s.Exit!.Value - s.Start))} {Us(withExit.Select(s => s.Done - s.Exit!.Value), 10)} {Us(samples.Select(s => s.Disposed - s.Done))} {Us(samples.Select(s => s.Disposed))} | {Bytes(samples.Select(s => s.AllocStart), 12)} {Bytes(samples.Select(s => s.AllocTotal - s.AllocStart), 11)} {Bytes(samples.Select(s => s.AllocTotal), 12)}   ({samples.Count - withExit.Count})"));
    }

    private static async Task MeasureWholeAsync(string name, int runs, Func<Task<int>> once)
    {
        for (var i = 0; i < 30; i++)
        {
            await once().ConfigureAwait(false);
        }

        var times = new List<TimeSpan>(runs);
        var allocations = new List<long>(runs);
        var workItems = new List<long>(runs);
        for (var i = 0; i < runs; i++)
        {
            var allocBefore = GC.GetTotalAllocatedBytes(precise: true);
            var itemsBefore = ThreadPool.CompletedWorkItemCount;
            var clock = Stopwatch.StartNew();
            await once().ConfigureAwait(false);
            times.Add(clock.Elapsed);
            workItems.Add(ThreadPool.CompletedWorkItemCount - itemsBefore);
            allocations.Add(GC.GetTotalAllocatedBytes(precise: true) - allocBefore);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-26} {Us(times)} | {Bytes(allocations, 12)} | {workItems.Order().ElementAt(workItems.Count / 2)} thread-pool work items"));
    }

    private static async Task<Phases> ProcessPhasesAsync()
    {
        var clock = new PhaseClock();
        var info = new ProcessStartInfo("/bin/true")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(info)!;
        clock.Started();
        var exit = WaitForKernelExit(process.Id, clock);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().ConfigureAwait(false);
        await stdout.ConfigureAwait(false);
        await stderr.ConfigureAwait(false);
        _ = process.ExitCode;
        clock.Done();
        process.Dispose();
        return clock.Disposed(exit);
    }

    private static async Task<Phases> TetherPhasesAsync(ContainmentMode mode)
    {
        var clock = new PhaseClock();
        var running = await ProcessRunner.Default.StartAsync(new Command("/bin/true").WithContainment(mode)).ConfigureAwait(false);
        clock.Started();
        var exit = WaitForKernelExit(running.Pid, clock);
        var result = await running.WaitBytesAsync().ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"/bin/true under Tether {mode}: {result}");
        }

        clock.Done();
        await running.DisposeAsync().ConfigureAwait(false);
        return clock.Disposed(exit);
    }

    /// <summary>
    /// Blocks this (non-pool) thread until the kernel says <paramref name="pid"/> exited, via a pidfd of our own; null
    /// when the library had already reaped it before we could open one.
    /// </summary>
    private static TimeSpan? WaitForKernelExit(int pid, PhaseClock clock)
    {
        var pidfd = (int)Syscall(SysPidfdOpen, pid, 0);
        if (pidfd < 0)
        {
            return null;
        }

        try
        {
            var fds = new PollFd { Fd = pidfd, Events = PollIn };
            while (Poll(ref fds, 1, -1) < 0)
            {
                // EINTR: poll again.
            }

            return clock.Elapsed;
        }
        finally
        {
            _ = Close(pidfd);
        }
    }

    private static string Us(IEnumerable<TimeSpan> values, int width = 9)
    {
        var list = values.Order().ToList();
        return list.Count == 0 ? "-".PadLeft(width) : string.Create(CultureInfo.InvariantCulture, $"{list[list.Count / 2].TotalMicroseconds:0} µs").PadLeft(width);
    }

    private static string Bytes(IEnumerable<long> values, int width)
    {
        var list = values.Order().ToList();
        return string.Create(CultureInfo.InvariantCulture, $"{list[list.Count / 2]} B").PadLeft(width);
    }

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, int pid, uint flags);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int Poll(ref PollFd fds, ulong count, int timeout);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    private readonly record struct Phases(TimeSpan Start, TimeSpan? Exit, TimeSpan Done, TimeSpan Disposed, long AllocStart, long AllocTotal);

    private sealed class PhaseClock
    {
        private readonly long _allocBefore = GC.GetTotalAllocatedBytes(precise: true);
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private TimeSpan _start;
        private TimeSpan _done;
        private long _allocStart;

        public TimeSpan Elapsed => _clock.Elapsed;

        public void Started()
        {
            _start = _clock.Elapsed;
            _allocStart = GC.GetTotalAllocatedBytes(precise: true) - _allocBefore;
        }

        public void Done() => _done = _clock.Elapsed;

        public Phases Disposed(TimeSpan? exit) =>
            new(_start, exit, _done, _clock.Elapsed, _allocStart, GC.GetTotalAllocatedBytes(precise: true) - _allocBefore);
    }
}
