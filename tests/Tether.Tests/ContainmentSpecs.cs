using System.Globalization;

namespace Tether.Tests;

public sealed class ContainmentSpecs
{
    private static readonly ContainmentReport Report = Containment.Probe();

    [Fact]
    public void Probe_reports_consistently_what_this_host_offers()
    {
        Assert.True(Report.ProcessGroupAvailable);
        if (Report.CgroupAvailable)
        {
            Assert.Null(Report.CgroupUnavailableReason);
            Assert.NotNull(Report.CgroupMountPoint);
            Assert.NotNull(Report.CgroupPath);
            Assert.True(Directory.Exists(Report.CgroupMountPoint), Report.CgroupMountPoint);
            Assert.Equal(ContainmentMechanism.Cgroup, Report.AutoMechanism);
        }
        else
        {
            Assert.False(string.IsNullOrWhiteSpace(Report.CgroupUnavailableReason));
            Assert.Equal(ContainmentMechanism.ProcessGroup, Report.AutoMechanism);
        }

        Assert.Same(Report, Containment.Probe());
    }

    [Fact]
    public void Probe_agrees_with_the_mount_table()
    {
        // Mount points of cgroup2 filesystems (field 5 of /proc/self/mountinfo; the type follows " - ").
        var cgroup2Mounts = File.ReadAllLines("/proc/self/mountinfo")
            .Where(line => line.Split(" - ")[1].StartsWith("cgroup2 ", StringComparison.Ordinal))
            .Select(line => line.Split(' ')[4])
            .ToList();

        if (cgroup2Mounts.Count == 0)
        {
            Assert.False(Report.CgroupAvailable, "cgroups reported without a cgroup2 mount");
        }

        if (Report.CgroupMountPoint is { } mountPoint)
        {
            Assert.Contains(mountPoint.TrimEnd('/'), cgroup2Mounts.Select(m => m.TrimEnd('/')));
        }
    }

    [Fact]
    public void Probe_reports_the_warden_that_protects_against_owner_death()
    {
        if (File.Exists("/bin/sh"))
        {
            Assert.Equal("/bin/sh", Report.WardenShell);
            Assert.True(Report.OwnerDeathProtection);
        }
        else
        {
            Assert.False(Report.OwnerDeathProtection);
        }
    }

    [Fact]
    public async Task Auto_uses_what_Probe_promised_and_every_view_of_the_run_says_so()
    {
        // Arrange
        await using var process = await ProcessRunner.Default.StartAsync(Shell.Command("echo hi"));

        // Act
        var events = await process.Events().ToListAsync().AsTask().Soon();
        var result = await process.WaitAsync().Soon();

        // Assert
        Assert.Equal(Report.AutoMechanism, process.Mechanism);
        Assert.Equal(Report.AutoMechanism, result.Mechanism);
        Assert.Equal(Report.AutoMechanism, Assert.IsType<ProcessEvent.Started>(events[0]).Mechanism);
    }

    [Fact]
    public async Task Asking_for_a_process_group_gives_a_process_group_and_says_so()
    {
        var result = await ProcessRunner.Default.OutputStringAsync(Shell.Command("exit 0").WithContainment(ContainmentMode.ProcessGroup));

        Assert.Equal(ContainmentMechanism.ProcessGroup, result.Mechanism);
    }

    [Fact]
    public async Task Asking_for_a_cgroup_gives_a_cgroup_or_fails_loudly_with_the_reason()
    {
        var command = Shell.Command("exit 0").WithContainment(ContainmentMode.Cgroup);

        if (Report.CgroupAvailable)
        {
            var result = await ProcessRunner.Default.OutputStringAsync(command);
            Assert.Equal(ContainmentMechanism.Cgroup, result.Mechanism);
        }
        else
        {
            var error = await Assert.ThrowsAsync<UnsupportedException>(() => ProcessRunner.Default.OutputStringAsync(command));
            Assert.Contains(Report.CgroupUnavailableReason!, error.Message, StringComparison.Ordinal);
        }
    }

    [CgroupFact]
    public async Task A_run_in_a_cgroup_gets_a_cgroup_of_its_own()
    {
        // Arrange
        await using var process = await ProcessRunner.Default.StartAsync(Shell.Command("echo started; exec sleep 600").WithContainment(ContainmentMode.Cgroup));
        await process.WaitForLineAsync(l => l == "started", Bounds.Eventually);

        // Act
        var theirs = ProcessTable.CgroupOf(process.Pid);

        // Assert
        Assert.NotNull(theirs);
        Assert.NotEqual(ProcessTable.CgroupOf(Environment.ProcessId), theirs);
        var directory = Report.CgroupMountPoint!.TrimEnd('/') + theirs;
        Assert.True(Directory.Exists(directory), $"{directory} exists");
    }

    [CgroupFact]
    public async Task Disposing_a_run_in_a_cgroup_kills_a_grandchild_that_called_setsid()
    {
        // Arrange
        using var leftovers = new Leftovers();
        var process = await ProcessRunner.Default.StartAsync(SetsidGrandchild().WithContainment(ContainmentMode.Cgroup));
        TrackedProcess grandchild;
        await using (process)
        {
            grandchild = await GrandchildOf(process, leftovers);

            // Act: leaving the block disposes the run.
        }

        // Assert
        Assert.Empty(await ProcessTable.WaitUntilGoneAsync([grandchild]));
    }

    [CgroupFact]
    public async Task A_timeout_in_a_cgroup_kills_a_grandchild_that_called_setsid()
    {
        // Arrange
        using var leftovers = new Leftovers();
        var clock = VirtualClock.Create();
        var command = SetsidGrandchild().WithContainment(ContainmentMode.Cgroup).WithTimeout(TimeSpan.FromSeconds(5));
        await using var process = await new ProcessRunner(clock).StartAsync(command);
        var grandchild = await GrandchildOf(process, leftovers, TimeSpan.FromDays(1));

        // Act
        var result = await clock.AdvanceUntilAsync(process.WaitAsync(), TimeSpan.FromSeconds(1));

        // Assert
        Assert.IsType<Outcome.TimedOut>(result.Outcome);
        Assert.Empty(await ProcessTable.WaitUntilGoneAsync([grandchild]));
    }

    [CgroupFact]
    public async Task StopAsync_in_a_cgroup_kills_a_grandchild_that_called_setsid()
    {
        // Arrange
        using var leftovers = new Leftovers();
        await using var process = await ProcessRunner.Default.StartAsync(SetsidGrandchild().WithContainment(ContainmentMode.Cgroup));
        var grandchild = await GrandchildOf(process, leftovers);

        // Act
        await process.StopAsync().Soon();

        // Assert
        Assert.Empty(await ProcessTable.WaitUntilGoneAsync([grandchild]));
    }

    [Theory]
    [InlineData(ContainmentMode.Auto)]
    [InlineData(ContainmentMode.ProcessGroup)]
    public async Task Disposing_a_run_kills_a_grandchild_that_stayed_in_the_tree(ContainmentMode mode)
    {
        // Arrange
        using var leftovers = new Leftovers();
        var process = await ProcessRunner.Default.StartAsync(Dummy.Command("grandchild", "--then-sleep", "600000").WithContainment(mode));
        TrackedProcess grandchild;
        await using (process)
        {
            grandchild = await GrandchildOf(process, leftovers);

            // Act: leaving the block disposes the run.
        }

        // Assert
        Assert.Empty(await ProcessTable.WaitUntilGoneAsync([grandchild]));
    }

    [Theory]
    [InlineData(ContainmentMode.Auto)]
    [InlineData(ContainmentMode.ProcessGroup)]
    public async Task When_the_program_exits_the_descendants_it_left_behind_are_killed(ContainmentMode mode)
    {
        // Arrange
        using var leftovers = new Leftovers();
        await using var process = await ProcessRunner.Default.StartAsync(Dummy.Command("grandchild", "--then-sleep", "1000").WithContainment(mode));
        var grandchild = await GrandchildOf(process, leftovers);

        // Act: the dummy exits a second after it started the grandchild.
        var result = await process.WaitAsync().Soon();

        // Assert
        Assert.Equal(new Outcome.Exited(0), result.Outcome);
        Assert.Empty(await ProcessTable.WaitUntilGoneAsync([grandchild]));
    }

    [Fact]
    public async Task In_process_group_mode_a_setsid_grandchild_escapes_as_documented_and_the_run_says_so()
    {
        // Arrange
        using var leftovers = new Leftovers();
        await using var process = await ProcessRunner.Default.StartAsync(SetsidGrandchild().WithContainment(ContainmentMode.ProcessGroup));
        var grandchild = await GrandchildOf(process, leftovers);
        Assert.NotEqual(ProcessTable.ProcessGroupOf(process.Pid), ProcessTable.ProcessGroupOf(grandchild.Pid));

        // Act
        var result = await process.StopAsync().Soon();

        // Assert: the run does not claim a containment that would have caught the escapee. (The leftovers clean it up.)
        Assert.Equal(ContainmentMechanism.ProcessGroup, process.Mechanism);
        Assert.Equal(ContainmentMechanism.ProcessGroup, result.Mechanism);
    }

    private static Command SetsidGrandchild() => Dummy.Command("grandchild", "--setsid", "--then-sleep", "600000");

    private static async Task<TrackedProcess> GrandchildOf(RunningProcess process, Leftovers leftovers, TimeSpan? timeout = null)
    {
        var line = await process.WaitForLineAsync(l => l.StartsWith("grandchild ", StringComparison.Ordinal), timeout ?? Bounds.Eventually).Soon();
        return leftovers.Track(int.Parse(line["grandchild ".Length..], CultureInfo.InvariantCulture));
    }
}
