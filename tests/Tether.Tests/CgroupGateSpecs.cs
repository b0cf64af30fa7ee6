using System.Globalization;
using Tether.Internal;
using Tether.Spawning;

namespace Tether.Tests;

/// <summary>
/// The gate: the child is held before exec while the gate's thread moves it into its leaf, so the program's very first
/// look at itself already shows the leaf. Held stages (limits, attributes) always go through it; other stages do where
/// the host cannot create a child inside its cgroup (SpawnIntoCgroupSpecs), so here it is forced where it says so.
/// </summary>
public sealed class CgroupGateSpecs
{
    [CgroupFact]
    public async Task The_program_is_in_its_own_cgroup_from_its_first_instruction()
    {
        // cat reads /proc/self/cgroup as one of the first things it does: nothing can have moved it later.
        var result = await ProcessRunner.Default.OutputStringAsync(new Command("cat").WithArguments("/proc/self/cgroup").WithContainment(ContainmentMode.Cgroup)).Soon();

        var line = result.Stdout.Split('\n').Single(l => l.StartsWith("0::", StringComparison.Ordinal));
        Assert.Contains("/tether-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "/run-", line, StringComparison.Ordinal);
    }

    [CgroupFact]
    public async Task Forced_through_the_gate_the_program_is_in_its_own_cgroup_from_its_first_instruction()
    {
        // Where glibc creates children inside their cgroup, the gate serves only held stages; forced, it still works.
        LinuxSpawner.ForceGate.Value = true;
        var result = await ProcessRunner.Default.OutputStringAsync(new Command("cat").WithArguments("/proc/self/cgroup").WithContainment(ContainmentMode.Cgroup)).Soon();

        var line = result.Stdout.Split('\n').Single(l => l.StartsWith("0::", StringComparison.Ordinal));
        Assert.Contains("/tether-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "/run-", line, StringComparison.Ordinal);
    }

    [CgroupFact]
    public async Task Through_the_gate_a_cleared_environment_holds_exactly_what_I_set()
    {
        LinuxSpawner.ForceGate.Value = true;
        var result = await ProcessRunner.Default.OutputStringAsync(
            new Command("env").WithClearedEnvironment().WithEnvironmentVariable("ONLY", "this").WithEnvironmentVariable("PATH", "/usr/bin:/bin").WithContainment(ContainmentMode.Cgroup)).Soon();

        Assert.Equal(["ONLY=this", "PATH=/usr/bin:/bin"], result.Stdout.Trim().Split('\n').Order(StringComparer.Ordinal));
    }

    [CgroupFact]
    public async Task Many_runs_through_the_gate_at_once_each_land_in_their_own_leaf()
    {
        // Arrange: the runs stay until all have said where they are (a finished run's leaf may serve a later run).
        LinuxSpawner.ForceGate.Value = true;
        var processes = await Task.WhenAll(Enumerable.Range(0, 24).Select(_ =>
            ProcessRunner.Default.StartAsync(Shell.Command("cat /proc/self/cgroup; exec sleep 600").WithContainment(ContainmentMode.Cgroup)))).Soon();
        try
        {
            // Act
            var leaves = await Task.WhenAll(processes.Select(p => p.WaitForLineAsync(l => l.StartsWith("0::", StringComparison.Ordinal), Bounds.Eventually)));

            // Assert
            Assert.All(leaves, leaf => Assert.Contains("/run-", leaf, StringComparison.Ordinal));
            Assert.Equal(leaves.Length, leaves.Distinct().Count());
        }
        finally
        {
            foreach (var process in processes)
            {
                await process.DisposeAsync();
            }
        }
    }

    [CgroupFact]
    public async Task Sixty_four_runs_started_on_sixty_four_threads_at_once_each_run_inside_their_own_leaf()
    {
        // Arrange: every thread starts its run at the same moment, so spawns overlap in the gate.
        const int Runs = 64;
        using var start = new Barrier(Runs);
        var processes = new RunningProcess?[Runs];
        var errors = new Exception?[Runs];
        var threads = Enumerable.Range(0, Runs).Select(i => new Thread(() =>
        {
            LinuxSpawner.ForceGate.Value = true;
            start.SignalAndWait();
            try
            {
                // The program prints the cgroup it sees first thing, then stays, so /proc/PID/cgroup can be compared.
                processes[i] = ProcessRunner.Default.StartAsync(Shell.Command("cat /proc/self/cgroup; exec sleep 600").WithContainment(ContainmentMode.Cgroup)).GetAwaiter().GetResult();
            }
            catch (Exception ex)
            {
                errors[i] = ex;
            }
        })).ToList();

        try
        {
            // Act
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());

            // Assert
            Assert.All(errors, Assert.Null);
            var prefix = "/tether-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "/run-";
            var leaves = new List<string>();
            foreach (var process in processes)
            {
                var seen = await process!.WaitForLineAsync(l => l.StartsWith("0::", StringComparison.Ordinal), Bounds.Eventually).Soon();
                var now = ProcessTable.CgroupOf(process.Pid);
                Assert.Contains(prefix, seen, StringComparison.Ordinal);
                Assert.Equal(seen[3..], now);
                leaves.Add(now!);
            }

            Assert.Equal(Runs, leaves.Distinct().Count());
        }
        finally
        {
            foreach (var process in processes)
            {
                if (process is not null)
                {
                    await process.DisposeAsync();
                }
            }
        }
    }

    [CgroupFact]
    public async Task Two_spawns_are_inside_the_gate_at_the_same_time()
    {
        // Each spawn waits inside the gate until the other one is inside too: spawns taking turns would never meet.
        var gate = CgroupGate.Instance;
        Assert.NotNull(gate);
        using var first = new ManualResetEventSlim();
        using var second = new ManualResetEventSlim();

        int Meet(ManualResetEventSlim mine, ManualResetEventSlim other)
        {
            mine.Set();
            return other.Wait(Bounds.Eventually) ? 1 : 0;
        }

        var a = Task.Factory.StartNew(() => gate.Spawn(_ => Meet(first, second), procsFile: null, prepare: null, out _), TaskCreationOptions.LongRunning);
        var b = Task.Factory.StartNew(() => gate.Spawn(_ => Meet(second, first), procsFile: null, prepare: null, out _), TaskCreationOptions.LongRunning);

        var met = await Task.WhenAll(a, b).Soon();
        Assert.Equal([1, 1], met);

        // The slots those spawns took (no child ever reached them) serve real spawns afterwards.
        LinuxSpawner.ForceGate.Value = true;
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
            ProcessRunner.Default.OutputStringAsync(new Command("cat").WithArguments("/proc/self/cgroup").WithContainment(ContainmentMode.Cgroup))))).Soon();
        Assert.All(results, r => Assert.Contains("/run-", r.Stdout, StringComparison.Ordinal));
    }

    [CgroupFact]
    public async Task Runs_cancelled_while_many_start_at_once_leave_no_process_behind()
    {
        // Arrange
        using var leftovers = new Leftovers();
        var started = new List<TrackedProcess>();
        LinuxSpawner.ForceGate.Value = true;
        var runs = Enumerable.Range(0, 32).Select(i => Task.Run(async () =>
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(i % 8));
            try
            {
                await using var process = await ProcessRunner.Default.StartAsync(Shell.Command("echo $$; exec sleep 600").WithContainment(ContainmentMode.Cgroup), cancel.Token);
                if (leftovers.TrackIfAlive(process.Pid) is { } tracked)
                {
                    lock (started)
                    {
                        started.Add(tracked);
                    }
                }

                await process.WaitAsync(cancel.Token);
                return "finished";
            }
            catch (OperationCanceledException)
            {
                return "cancelled";
            }
        })).ToList();

        // Act
        var outcomes = await Task.WhenAll(runs).Soon();

        // Assert: none can finish on its own (sleep 600); each was stopped, and disposing took its tree down.
        Assert.All(outcomes, o => Assert.Equal("cancelled", o));
        Assert.Empty(await ProcessTable.WaitUntilGoneAsync(started));
    }

    [Fact]
    public async Task Held_runs_started_at_once_each_get_their_open_files_limit_only_once_they_hold_their_gate_descriptor()
    {
        // A limit of 3 lands after the child opened its release FIFO (or that open would fail with EMFILE and the spawn
        // with it), and before the program runs (or the shell could open a fourth descriptor).
        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() =>
            ProcessRunner.Default.OutputStringAsync(Shell.Command("exec 3</dev/null && echo opened").WithResourceLimit(ResourceLimit.OpenFiles, 3))))).Soon();

        Assert.All(results, r =>
        {
            Assert.DoesNotContain("opened", r.Stdout, StringComparison.Ordinal);
            Assert.NotEqual(new Outcome.Exited(0), r.Outcome);
        });
    }
}
