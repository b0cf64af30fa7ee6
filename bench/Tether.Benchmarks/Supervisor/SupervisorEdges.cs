using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Tether.Supervisor;

namespace Tether.Benchmarks.Supervisor;

/// <summary>
/// Two figures of the supervisor's edges, measured on real processes:
/// <list type="bullet">
/// <item><c>supervisor-logs [--mb N] [--rounds R]</c>: one service writes N MiB of 80-byte lines as fast as it can
/// (<c>yes | head -c</c>); the time from the supervisor's start until the service completed and its log file is
/// written and closed gives MB/s into the log (lines dropped, if any, are reported, not counted).</item>
/// <item><c>supervisor-idle [--services N] [--seconds S]</c>: N sleeping services; the time from the start to all
/// ready, then the supervisor process's CPU time and RSS over S idle seconds (in this JIT-compiled host, not the
/// native CLI).</item>
/// <item><c>supervisor-restart [--restarts N]</c>: a service that exits at once, restarted without backoff; the time
/// from the engine taking the exit to the new process's start being taken (both on the supervisor's clock), p50/p99.</item>
/// </list>
/// </summary>
internal static class SupervisorEdges
{
    public static async Task<int> RunLogsAsync(string[] args)
    {
        var megabytes = Option(args, "--mb", 512);
        var rounds = Option(args, "--rounds", 3);
        var bytes = megabytes * 1024L * 1024;
        var line = new string('x', 79);
        for (var round = 1; round <= rounds; round++)
        {
            var directory = Directory.CreateTempSubdirectory("tether-bench-logs-").FullName;
            try
            {
                var service = new ServiceDefinition
                {
                    Name = "flood",
                    Command = new ServiceCommand.Shell($"yes {line} | head -c {bytes.ToString(CultureInfo.InvariantCulture)}"),
                    Restart = RestartPolicy.No,
                    Logs = new LogPolicy(256L * 1024 * 1024, 2),
                };
                var clock = Stopwatch.StartNew();
                var completed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var supervisor = await Tether.Supervisor.Supervisor.StartAsync(new SupervisorOptions
                {
                    Services = new ServiceSet(directory, [service]),
                    OnDecision = d =>
                    {
                        if (d is SupervisorDecision.StateChanged { To: ServiceState.Completed or ServiceState.Exited or ServiceState.Failed })
                        {
                            completed.TrySetResult();
                        }
                    },
                }, CancellationToken.None);
                await using (supervisor)
                {
                    await completed.Task;
                    await supervisor.ShutdownAsync(force: false, CancellationToken.None);
                    await supervisor.Completion;
                    clock.Stop();
                    var dropped = supervisor.Status().DroppedLogLines.GetValueOrDefault("flood");
                    var written = Directory.GetFiles(Path.Combine(directory, ".tether", "logs")).Sum(f => new FileInfo(f).Length);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"round {round}: {megabytes} MiB in {clock.Elapsed.TotalSeconds:F2} s = {bytes / 1e6 / clock.Elapsed.TotalSeconds:F0} MB/s into the log ({written / 1e6:F0} MB on disk, {dropped} lines dropped)"));
                }
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        return 0;
    }

    public static async Task<int> RunIdleAsync(string[] args)
    {
        var count = Option(args, "--services", 10);
        var seconds = Option(args, "--seconds", 20);
        var directory = Directory.CreateTempSubdirectory("tether-bench-idle-").FullName;
        try
        {
            var services = Enumerable.Range(1, count)
                .Select(i => new ServiceDefinition { Name = "sleep" + i.ToString(CultureInfo.InvariantCulture), Command = new ServiceCommand.Exec(["/bin/sleep", "infinity"]) })
                .ToList();
            var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var clock = Stopwatch.StartNew();
            var supervisor = await Tether.Supervisor.Supervisor.StartAsync(new SupervisorOptions
            {
                Services = new ServiceSet(directory, services),
                OnDecision = d =>
                {
                    if (d is SupervisorDecision.AllReady)
                    {
                        ready.TrySetResult();
                    }
                },
            }, CancellationToken.None);
            await using (supervisor)
            {
                await ready.Task;
                var toReady = clock.Elapsed;
                await Task.Delay(TimeSpan.FromSeconds(2)); // let start-up work (JIT, journal sync) settle
                using var self = Process.GetCurrentProcess();
                self.Refresh();
                var cpuBefore = self.TotalProcessorTime;
                var wall = Stopwatch.StartNew();
                await Task.Delay(TimeSpan.FromSeconds(seconds));
                self.Refresh();
                var cpu = self.TotalProcessorTime - cpuBefore;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{count} services: all ready {toReady.TotalMilliseconds:F0} ms after the start; idle CPU {100 * cpu.TotalSeconds / wall.Elapsed.TotalSeconds:F3}% of a core over {seconds} s; RSS {self.WorkingSet64 / 1e6:F1} MB"));
            }

            return 0;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    public static async Task<int> RunRestartAsync(string[] args)
    {
        var restarts = Option(args, "--restarts", 200);
        var directory = Directory.CreateTempSubdirectory("tether-bench-restart-").FullName;
        try
        {
            var changes = new ConcurrentQueue<SupervisorDecision.StateChanged>();
            var service = new ServiceDefinition
            {
                Name = "crasher",
                Command = new ServiceCommand.Exec(["/bin/false"]),
                Restart = RestartPolicy.Always,
                Backoff = new RestartBackoff(TimeSpan.Zero, 1, TimeSpan.Zero, 0, TimeSpan.FromHours(1)),
                StartLimit = new StartLimit(restarts + 10, TimeSpan.FromHours(1)),
            };
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var supervisor = await Tether.Supervisor.Supervisor.StartAsync(new SupervisorOptions
            {
                Services = new ServiceSet(directory, [service]),
                OnDecision = d =>
                {
                    if (d is SupervisorDecision.StateChanged change)
                    {
                        changes.Enqueue(change);
                    }

                    if (d is SupervisorDecision.RestartScheduled { Restart: var n } && n >= restarts)
                    {
                        done.TrySetResult();
                    }
                },
            }, CancellationToken.None);
            await using (supervisor)
            {
                await done.Task;
            }

            // From the state change that took the exit (to Restarting or Starting) to the one that took the new pid.
            var samples = new List<double>();
            TimeSpan? exitTaken = null;
            foreach (var change in changes)
            {
                if (change.From is ServiceState.Ready or ServiceState.Running && change.To is ServiceState.Restarting or ServiceState.Starting)
                {
                    exitTaken = change.At;
                }
                else if (change.From == ServiceState.Starting && change.To is ServiceState.Running or ServiceState.Ready && exitTaken is { } at)
                {
                    samples.Add((change.At - at).TotalMilliseconds);
                    exitTaken = null;
                }
            }

            samples.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{samples.Count} restarts: exit taken → new process started p50 {Percentile(samples, 0.5):F2} ms, p90 {Percentile(samples, 0.9):F2} ms, p99 {Percentile(samples, 0.99):F2} ms"));
            return 0;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];

    private static int Option(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
