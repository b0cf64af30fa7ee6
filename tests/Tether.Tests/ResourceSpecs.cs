namespace Tether.Tests;

/// <summary>What runs leave behind: nothing. Alone in their collection, so that other specs' runs do not blur the count.</summary>
[Collection(nameof(ResourceSpecs))]
public sealed class ResourceSpecs
{
    [CgroupFact]
    public async Task A_finished_run_leaves_its_cgroup_empty_and_the_host_keeps_only_a_bounded_number()
    {
        // Arrange
        string directory;
        await using (var process = await ProcessRunner.Default.StartAsync(Shell.Command("echo started; (setsid sleep 600 &); exec sleep 600").WithContainment(ContainmentMode.Cgroup)))
        {
            await process.WaitForLineAsync(l => l == "started", Bounds.Eventually);
            directory = Containment.Probe().CgroupMountPoint!.TrimEnd('/') + ProcessTable.CgroupOf(process.Pid);
            Assert.True(Directory.Exists(directory), directory);

            // Act: leaving the block disposes the run.
        }

        // Assert: gone, or empty and waiting for the next run (CgroupLeafReuseSpecs), never more than the bound.
        Assert.True(!Directory.Exists(directory) || File.ReadAllText(Path.Combine(directory, "cgroup.procs")).Length == 0, $"{directory} still holds processes");
        Assert.True(Directory.GetDirectories(Internal.CgroupHierarchy.RunsParent!, "run-*").Length <= Internal.CgroupHierarchy.ReusableLeaves + 1);
    }

    [Fact]
    public async Task Runs_leave_no_file_descriptors_open()
    {
        // Arrange: one round first, so that whatever Tether opens once per process (the warden, the reaper) is open.
        await RunEveryKindOfRunOnce();
        var before = OpenDescriptors();

        // Act
        for (var i = 0; i < 10; i++)
        {
            await RunEveryKindOfRunOnce();
        }

        // Assert
        var after = OpenDescriptors();
        Assert.True(after.Count <= before.Count + 3, $"{before.Count} descriptors before, {after.Count} after; new: {string.Join(", ", after.Except(before))}");
    }

    private static async Task RunEveryKindOfRunOnce()
    {
        await ProcessRunner.Default.OutputStringAsync(Shell.Command("echo out; echo err >&2; exit 3"));
        await ProcessRunner.Default.OutputStringAsync(Shell.Command("echo x") | new Command("cat") | new Command("cat"));
        await ProcessRunner.Default.OutputStringAsync(new Command("cat").WithStdin("input"));
        await ProcessRunner.Default.OutputStringAsync(Shell.Command("exit 0").WithContainment(ContainmentMode.ProcessGroup));
        await Assert.ThrowsAsync<ProgramNotFoundException>(() => ProcessRunner.Default.OutputStringAsync(new Command("tether-specs-no-such-program")));
        await Assert.ThrowsAsync<SpawnFailedException>(() => ProcessRunner.Default.OutputStringAsync(Shell.Command("exit 0").WithWorkingDirectory("/nonexistent/tether-specs")));
        await Assert.ThrowsAsync<OutputTooLargeException>(() => ProcessRunner.Default.OutputStringAsync(new Command("yes").WithOutputLimit(1024)));

        await using (var process = await ProcessRunner.Default.StartAsync(Shell.Command("echo ready; exec sleep 600").WithStdin(StandardInput.Interactive)))
        {
            await process.WaitForLineAsync(l => l == "ready", Bounds.Eventually);
        }

        var clock = VirtualClock.Create();
        await using (var process = await new ProcessRunner(clock).StartAsync(Shell.Command("echo ready; exec sleep 600").WithTimeout(TimeSpan.FromSeconds(1))))
        {
            await process.WaitForLineAsync(l => l == "ready", TimeSpan.FromDays(1)).Soon();
            await clock.AdvanceUntilAsync(process.WaitAsync(), TimeSpan.FromSeconds(1));
        }
    }

    private static List<string> OpenDescriptors() =>
        Directory.EnumerateFileSystemEntries("/proc/self/fd")
            .Select(fd =>
            {
                try
                {
                    return $"{Path.GetFileName(fd)} -> {new FileInfo(fd).LinkTarget}";
                }
                catch (IOException)
                {
                    return Path.GetFileName(fd); // closed while we looked
                }
            })
            .ToList();
}

/// <summary>Runs <see cref="ResourceSpecs"/> on their own, after the specs that run in parallel.</summary>
[CollectionDefinition(nameof(ResourceSpecs), DisableParallelization = true)]
public sealed class ResourceSpecsCollection;
