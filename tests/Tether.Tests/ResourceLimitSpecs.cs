using Tether.Internal;

namespace Tether.Tests;

/// <summary>Resource limits are enforced from the program's first instruction, or refused with the reason — never ignored.</summary>
public sealed class ResourceLimitSpecs
{
    private const long MiB = 1024 * 1024;

    [Theory]
    [InlineData(ContainmentMode.Auto)]
    [InlineData(ContainmentMode.ProcessGroup)]
    public async Task The_child_starts_with_the_resource_limits_asked_for(ContainmentMode containment)
    {
        // Arrange: the shell reports its own limits, which it had before its first instruction.
        var command = Shell.Command("ulimit -n; ulimit -Hn; ulimit -c; ulimit -t")
            .WithResourceLimit(ResourceLimit.OpenFiles, 123)
            .WithResourceLimit(ResourceLimit.CoreFileSize, 0)
            .WithResourceLimit(ResourceLimit.CpuSeconds, 7)
            .WithContainment(containment);

        // Act
        var stdout = await ProcessRunner.Default.RunAsync(command);

        // Assert
        Assert.Equal("123\n123\n0\n7", stdout);
    }

    [Fact]
    public async Task The_open_files_limit_is_enforced()
    {
        // 3 lets only descriptors 0-2 exist: the shell cannot open a fourth.
        var result = await ProcessRunner.Default.OutputStringAsync(Shell.Command("exec 3</dev/null && echo opened").WithResourceLimit(ResourceLimit.OpenFiles, 3));

        Assert.DoesNotContain("opened", result.Stdout, StringComparison.Ordinal);
        Assert.NotEqual(new Outcome.Exited(0), result.Outcome);
    }

    [Fact]
    public void The_probe_reports_every_tree_limit_with_its_source_or_the_reason()
    {
        var limits = Containment.Probe().Limits;

        Assert.Equal(Enum.GetValues<TreeLimit>(), limits.Select(l => l.Limit));
        Assert.All(limits, l => Assert.True(l.Enforceable ^ (l.UnavailableReason is not null), l.ToString()));
        Assert.All(limits.Where(l => l.Enforceable), l => Assert.Matches("^cgroup v[12] ", l.Source));
    }

    [Fact]
    public async Task A_limit_the_host_cannot_enforce_is_refused_with_the_reason_before_anything_starts()
    {
        // Arrange
        CgroupControllers.ForceUnavailable.Value = TreeLimit.Memory;
        var marker = Path.Combine(Path.GetTempPath(), "tether-specs-refused-" + Guid.NewGuid().ToString("N"));
        var command = Shell.Command($"touch {marker}").WithMemoryLimit(64 * MiB);

        // Act
        var error = await Assert.ThrowsAsync<UnsupportedException>(() => ProcessRunner.Default.RunAsync(command));

        // Assert
        Assert.Equal("A memory limit was asked for '/bin/sh', but this host cannot enforce it: it was made unavailable for this test.", error.Reason);
        Assert.False(File.Exists(marker), "the program ran although its limit was refused");
    }

    [Fact]
    public async Task Every_limit_the_probe_calls_unenforceable_is_refused()
    {
        foreach (var support in Containment.Probe().Limits.Where(l => !l.Enforceable))
        {
            var command = support.Limit switch
            {
                TreeLimit.Memory => Shell.Command("true").WithMemoryLimit(64 * MiB),
                TreeLimit.Cpu => Shell.Command("true").WithCpuLimit(0.5),
                _ => Shell.Command("true").WithProcessCountLimit(8),
            };

            var error = await Assert.ThrowsAsync<UnsupportedException>(() => ProcessRunner.Default.RunAsync(command));
            Assert.Contains(support.UnavailableReason!, error.Reason, StringComparison.Ordinal);
        }
    }

    [LimitFact(TreeLimit.Memory)]
    public async Task A_memory_limit_hit_by_a_grandchild_is_reported_as_an_out_of_memory_kill()
    {
        // Arrange: tail keeps all of a newline-free input in memory; it is a child of the shell, the run's program.
        var command = Shell.Command("head -c 400m /dev/zero | tail > /dev/null; echo tail ended $?").WithMemoryLimit(64 * MiB);

        // Act
        var result = await ProcessRunner.Default.OutputStringAsync(command).Soon();

        // Assert
        Assert.Equal("tail ended 137", result.Stdout.Trim());
        Assert.Equal(new Outcome.Exited(0), result.Outcome);
        Assert.True(result.OutOfMemoryKills >= 1, $"{result.OutOfMemoryKills} OOM kills reported");
        Assert.NotNull(result.PeakMemoryBytes);
        Assert.InRange(result.PeakMemoryBytes.Value, 1, 64 * MiB);
    }

    [LimitFact(TreeLimit.Memory)]
    public async Task A_program_killed_for_its_memory_limit_ends_out_of_memory_not_with_a_mystery_SIGKILL()
    {
        // Arrange
        var pipeline = new Command("head").WithArguments("-c", "400m", "/dev/zero") | new Command("tail").WithMemoryLimit(64 * MiB);

        // Act
        var result = await ProcessRunner.Default.OutputStringAsync(pipeline).Soon();

        // Assert
        var signalled = Assert.IsType<Outcome.Signalled>(result.Outcome);
        Assert.True(signalled.OutOfMemory, result.Outcome.ToString());
        Assert.Equal(Signal.Kill, signalled.Signal);
        Assert.Contains("out of memory", result.Outcome.ToString(), StringComparison.Ordinal);
        Assert.Equal(1, result.BlamedStage);
    }

    [LimitFact(TreeLimit.Memory)]
    public async Task Memory_accounting_reports_the_peak_of_the_whole_tree_without_limiting_it()
    {
        // Arrange: the shell's child (tail) holds 96 MiB; the shell itself stays small, so only the tree's group sees it.
        var command = Shell.Command("head -c 96m /dev/zero | tail > /dev/null; echo tail ended $?");

        // Act
        var accounted = await ProcessRunner.Default.OutputStringAsync(command.WithMemoryAccounting()).Soon();

        // Assert: nothing was limited or killed, and the peak is the tree's, at least what tail held.
        Assert.Equal("tail ended 0", accounted.Stdout.Trim());
        Assert.Equal(0, accounted.OutOfMemoryKills);
        Assert.NotNull(accounted.PeakMemoryBytes);
        Assert.InRange(accounted.PeakMemoryBytes.Value, 96 * MiB, 4096 * MiB);
    }

    [Fact]
    public async Task A_run_without_a_memory_limit_reports_no_out_of_memory_kill()
    {
        var result = await ProcessRunner.Default.OutputStringAsync(Shell.Command("kill -9 $$"));

        Assert.Equal(new Outcome.Signalled(Signal.Kill), result.Outcome);
        Assert.Equal(0, result.OutOfMemoryKills);
    }

    [LimitFact(TreeLimit.Processes)]
    public async Task A_process_count_limit_stops_a_fork_loop()
    {
        // Arrange: the loop would start 50 sleepers; the shell gives up when fork fails.
        var command = Shell.Command("i=0; while [ $i -lt 50 ]; do sleep 600 & i=$((i+1)); echo $i; done").WithProcessCountLimit(8);

        // Act
        var result = await ProcessRunner.Default.OutputStringAsync(command).Soon();

        // Assert: the shell and at most 7 sleepers.
        var started = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).DefaultIfEmpty(0).Max();
        Assert.InRange(started, 1, 7);
        Assert.NotEqual(new Outcome.Exited(0), result.Outcome);
    }

    [LimitFact(TreeLimit.Cpu)]
    public async Task A_cpu_limit_is_in_force_for_the_run()
    {
        // Arrange
        var v1 = Containment.Probe().Limits[(int)TreeLimit.Cpu].Source!.StartsWith("cgroup v1", StringComparison.Ordinal);
        await using var process = await ProcessRunner.Default.StartAsync(Shell.Command("cat /proc/self/cgroup; echo ready; exec sleep 600").WithCpuLimit(0.5));
        var lines = new List<string>();
        await process.WaitForLineAsync(l => { lines.Add(l); return l == "ready"; }, Bounds.Eventually);

        // Act
        var group = GroupOf(TreeLimit.Cpu, [.. lines.SkipLast(1)]);
        var quota = File.ReadAllText(Path.Combine(group, v1 ? "cpu.cfs_quota_us" : "cpu.max")).Split(' ')[0].Trim();

        // Assert
        Assert.Equal("50000", quota);
    }

    [Fact]
    public async Task Limited_runs_leave_no_cgroup_behind()
    {
        // Act
        await ProcessRunner.Default.OutputStringAsync(Shell.Command("sleep 600 & echo started").WithMemoryLimit(64 * MiB).WithProcessCountLimit(16).WithCpuLimit(1));

        // Assert: every v1 run group of this process is gone once the run ended (v2 leaves are checked by ResourceSpecs).
        var own = "tether-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var leftovers = Containment.Probe().Limits
            .Where(l => l.Source?.StartsWith("cgroup v1", StringComparison.Ordinal) == true)
            .Select(l => Path.Combine(l.Source![(l.Source!.IndexOf(" at ", StringComparison.Ordinal) + 4)..], own))
            .Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateDirectories(d, "run-*"))
            .ToList();
        Assert.True(leftovers.Count == 0, string.Join(", ", leftovers));
    }

    /// <summary>The directory of the cgroup (of <paramref name="limit"/>'s controller) a process with these /proc/PID/cgroup lines is in.</summary>
    private static string GroupOf(TreeLimit limit, string[] childCgroupLines)
    {
        var source = Containment.Probe().Limits[(int)limit].Source!;
        var v1 = source.StartsWith("cgroup v1", StringComparison.Ordinal);
        var controller = source.Split(' ')[2];
        var ownDirectory = v1 ? source[(source.IndexOf(" at ", StringComparison.Ordinal) + 4)..] : Containment.Probe().CgroupPath!;
        var own = PathIn(File.ReadAllLines("/proc/self/cgroup"));
        var child = PathIn(childCgroupLines);
        return ownDirectory.TrimEnd('/') + child[own.TrimEnd('/').Length..];

        string PathIn(string[] lines) => lines
            .Select(l => l.Split(':', 3))
            .First(parts => v1 ? parts[1].Split(',').Contains(controller) : parts[0] == "0")[2];
    }
}
