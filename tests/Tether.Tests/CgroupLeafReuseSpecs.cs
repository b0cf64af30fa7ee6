using Tether.Internal;
using Tether.Spawning;

namespace Tether.Tests;

/// <summary>
/// A finished run's empty cgroup is kept for the next run (a fresh one costs more than the spawn itself). What must
/// hold: nothing of one run reaches the next (its processes, its CPU time, a freeze), the old run's handle can no
/// longer touch the directory, and only a bounded number wait. Alone in their collection, so that the next run is the
/// one that gets the leaf.
/// </summary>
[Collection(nameof(ResourceSpecs))]
public sealed class CgroupLeafReuseSpecs
{
    [CgroupFact]
    public async Task The_next_run_is_created_in_the_empty_cgroup_of_the_run_before()
    {
        // Arrange
        var first = await CgroupOfRunAsync();

        // Act
        var second = await CgroupOfRunAsync();

        // Assert
        Assert.Equal(first, second);
        Assert.Equal("0", PopulatedOf(first));
    }

    [CgroupFact]
    public async Task A_reused_cgroup_counts_only_the_CPU_time_of_its_own_run()
    {
        // Arrange: a run that spends a good part of a second of CPU.
        var busy = await ProcessRunner.Default.OutputStringAsync(Shell.Command("i=0; while [ $i -lt 400000 ]; do i=$((i+1)); done; cat /proc/self/cgroup").WithContainment(ContainmentMode.Cgroup)).Soon();
        Assert.True(busy.CpuTime >= TimeSpan.FromMilliseconds(100), $"the busy run took {busy.CpuTime} of CPU");

        // Act
        var idle = await ProcessRunner.Default.OutputStringAsync(new Command("cat").WithArguments("/proc/self/cgroup").WithContainment(ContainmentMode.Cgroup)).Soon();

        // Assert: same cgroup, and its figure is its own, not the leaf's total.
        Assert.Equal(Leaf(busy.Stdout), Leaf(idle.Stdout));
        Assert.True(idle.CpuTime < busy.CpuTime / 2, $"cat in the reused cgroup reports {idle.CpuTime} of CPU; the run before took {busy.CpuTime}");
    }

    [CgroupFact]
    public async Task A_retired_cgroup_cannot_kill_freeze_or_list_the_run_that_reuses_it()
    {
        // Arrange: the leaf of a finished run, retired the way the reaper retires it.
        var old = CgroupHierarchy.CreateLeaf();
        Assert.True(old.TryRetire(out _, out _));
        await using var next = await ProcessRunner.Default.StartAsync(new Command("cat").WithStdin(StandardInput.Interactive).WithContainment(ContainmentMode.Cgroup));
        Assert.Equal(old.Path, MountPoint() + ProcessTable.CgroupOf(next.Pid));

        // Act
        old.Kill();
        old.Freeze(true);
        var listed = old.Processes();
        var populated = old.IsPopulated();

        // Assert: the next run neither died nor froze, and the old handle saw nothing of it.
        Assert.Empty(listed);
        Assert.False(populated);
        await next.WriteStdinLineAsync("still here");
        Assert.Equal("still here", await next.WaitForLineAsync(l => l == "still here", Bounds.Eventually));
        Assert.Equal("0", File.ReadAllText(Path.Combine(old.Path, "cgroup.freeze")).Trim());
    }

    [CgroupFact]
    public async Task A_cgroup_that_was_frozen_is_not_given_to_another_run()
    {
        // Arrange
        string frozen;
        await using (var process = await StartedSleeperAsync())
        {
            frozen = ProcessTable.CgroupOf(process.Pid)!;
            await process.SuspendAsync();
            await process.ResumeAsync();
        }

        // Act
        var next = await CgroupOfRunAsync();

        // Assert
        Assert.NotEqual(frozen, next);
        Assert.False(Directory.Exists(MountPoint() + frozen), $"{frozen} was left behind");
    }

    [CgroupFact]
    public async Task A_cgroup_whose_run_was_killed_is_not_given_to_another_run()
    {
        // Arrange: disposing a running run kills it through its cgroup. The kernel kills at birth every child later
        // created inside a cgroup that was killed, so reusing it would kill the next run.
        string killed;
        await using (var process = await StartedSleeperAsync())
        {
            killed = ProcessTable.CgroupOf(process.Pid)!;
        }

        // Act
        var next = await ProcessRunner.Default.OutputStringAsync(new Command("cat").WithArguments("/proc/self/cgroup").WithContainment(ContainmentMode.Cgroup)).Soon();

        // Assert
        Assert.True(next.IsSuccess, next.ToString());
        Assert.NotEqual(killed, Leaf(next.Stdout));
        Assert.False(Directory.Exists(MountPoint() + killed), $"{killed} was left behind");
    }

    [CgroupFact]
    public async Task A_cgroup_killed_from_outside_is_not_given_to_another_run()
    {
        // Arrange: someone else writes the cgroup's cgroup.kill while the run is going.
        string killed;
        await using (var process = await StartedSleeperAsync())
        {
            killed = ProcessTable.CgroupOf(process.Pid)!;
            await File.WriteAllTextAsync(MountPoint() + killed + "/cgroup.kill", "1");
            var result = await process.WaitAsync().Soon();
            Assert.Contains("SIGKILL", result.ToString(), StringComparison.Ordinal);
        }

        // Act
        var runs = new List<ProcessResult<string>>();
        for (var i = 0; i < 3; i++)
        {
            runs.Add(await ProcessRunner.Default.OutputStringAsync(new Command("cat").WithArguments("/proc/self/cgroup").WithContainment(ContainmentMode.Cgroup)).Soon());
        }

        // Assert
        Assert.All(runs, run => Assert.True(run.IsSuccess, run.ToString()));
        Assert.All(runs, run => Assert.NotEqual(killed, Leaf(run.Stdout)));
    }

    [CgroupFact]
    public async Task A_leaf_name_an_earlier_host_left_behind_is_skipped_never_joined()
    {
        // Arrange: the next names are taken by killed cgroups, as a host with this pid before us may leave them (every
        // host that is pid 1 of its namespace is tether-1). A child created inside one of them would die at birth.
        var parent = CgroupHierarchy.RunsParent!;
        await ProcessRunner.Default.OutputStringAsync(new Command("true").WithContainment(ContainmentMode.Cgroup)).Soon();
        var stale = Enumerable.Range(1, 5).Select(i => Path.Combine(parent, $"run-{CgroupHierarchy.LastLeafNumber + i}")).ToList();
        try
        {
            foreach (var directory in stale)
            {
                Directory.CreateDirectory(directory);
                await File.WriteAllTextAsync(Path.Combine(directory, "cgroup.kill"), "1");
            }

            // Act: a run in a leaf made now, not one waiting for reuse.
            CgroupHierarchy.FreshLeaves.Value = true;
            var result = await ProcessRunner.Default.OutputStringAsync(new Command("cat").WithArguments("/proc/self/cgroup").WithContainment(ContainmentMode.Cgroup)).Soon();

            // Assert
            Assert.True(result.IsSuccess, result.ToString());
            Assert.DoesNotContain(MountPoint() + Leaf(result.Stdout), stale);
        }
        finally
        {
            foreach (var directory in stale.Where(Directory.Exists))
            {
                Directory.Delete(directory);
            }
        }
    }

    [CgroupFact]
    public async Task However_many_runs_end_at_once_only_a_bounded_number_of_empty_cgroups_wait()
    {
        // Arrange
        var count = CgroupHierarchy.ReusableLeaves + 16;
        var runs = new List<RunningProcess>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                runs.Add(await ProcessRunner.Default.StartAsync(Sleeper));
            }

            foreach (var run in runs)
            {
                await run.WaitForLineAsync(l => l == "started", Bounds.Eventually);
            }

            Assert.True(Leaves() >= count, $"{Leaves()} leaves for {count} runs");
        }
        finally
        {
            // Act
            foreach (var run in runs)
            {
                await run.DisposeAsync();
            }
        }

        // Assert: the waiting ones, and at most the one made ahead for the next run.
        Assert.True(await Bounds.EventuallyAsync(() => Leaves() <= CgroupHierarchy.ReusableLeaves + 1), $"{Leaves()} leaves wait; at most {CgroupHierarchy.ReusableLeaves + 1} may");
        foreach (var leaf in Directory.GetDirectories(CgroupHierarchy.RunsParent!, "run-*"))
        {
            Assert.Equal("0", PopulatedOf(leaf[MountPoint().Length..]));
        }

        // A waiting leaf keeps its directory and two files open for the next run; a removed one kept none. (Runs of
        // other specs may come and go meanwhile, hence eventually.)
        Assert.True(
            await Bounds.EventuallyAsync(() => DescriptorsIntoLeaves().All(d => !d.EndsWith(" (deleted)", StringComparison.Ordinal) && Directory.Exists(LeafOf(d)))),
            "descriptors of removed leaves are still open: " + string.Join(", ", DescriptorsIntoLeaves()));
        Assert.All(DescriptorsIntoLeaves().GroupBy(LeafOf), leaf => Assert.True(leaf.Count() <= 3, $"{leaf.Count()} descriptors into {leaf.Key}"));
    }

    /// <summary>The targets of this process's descriptors that point into its runs' cgroup directory.</summary>
    private static List<string> DescriptorsIntoLeaves()
    {
        var targets = new List<string>();
        foreach (var link in Directory.GetFiles("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(link).LinkTarget is { } target && target.StartsWith(CgroupHierarchy.RunsParent! + "/run-", StringComparison.Ordinal))
                {
                    targets.Add(target);
                }
            }
            catch (IOException)
            {
                // Closed while we looked.
            }
        }

        return targets;
    }

    /// <summary>The leaf directory a descriptor's target is in (or is).</summary>
    private static string LeafOf(string target)
    {
        var relative = target[(CgroupHierarchy.RunsParent!.Length + 1)..];
        var slash = relative.IndexOf('/', StringComparison.Ordinal);
        var leaf = slash < 0 ? relative : relative[..slash];
        return Path.Combine(CgroupHierarchy.RunsParent!, leaf.Replace(" (deleted)", "", StringComparison.Ordinal));
    }

    /// <summary>A cgroup run that sleeps for ten minutes once it said "started".</summary>
    private static readonly Command Sleeper = Shell.Command("echo started; exec sleep 600").WithContainment(ContainmentMode.Cgroup);

    /// <summary>Starts <see cref="Sleeper"/> and waits until it is running.</summary>
    private static async Task<RunningProcess> StartedSleeperAsync()
    {
        var process = await ProcessRunner.Default.StartAsync(Sleeper);
        await process.WaitForLineAsync(l => l == "started", Bounds.Eventually);
        return process;
    }

    private static async Task<string> CgroupOfRunAsync()
    {
        var result = await ProcessRunner.Default.OutputStringAsync(new Command("cat").WithArguments("/proc/self/cgroup").WithContainment(ContainmentMode.Cgroup)).Soon();
        return Leaf(result.Stdout);
    }

    private static string Leaf(string procSelfCgroup) =>
        procSelfCgroup.Split('\n').Single(l => l.StartsWith("0::", StringComparison.Ordinal))[3..];

    private static string PopulatedOf(string cgroup) =>
        File.ReadAllLines(MountPoint() + cgroup + "/cgroup.events").Single(l => l.StartsWith("populated ", StringComparison.Ordinal))["populated ".Length..];

    private static string MountPoint() => Containment.Probe().CgroupMountPoint!.TrimEnd('/');

    private static int Leaves() => Directory.GetDirectories(CgroupHierarchy.RunsParent!, "run-*").Length;
}
