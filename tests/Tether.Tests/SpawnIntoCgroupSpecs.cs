using Tether.Internal;
using Tether.Spawning;

namespace Tether.Tests;

/// <summary>Where the host can create a child inside its cgroup (clone3 with CLONE_INTO_CGROUP), runs are created there.</summary>
public sealed class SpawnIntoCgroupSpecs
{
    [CgroupFact]
    public void This_host_creates_children_inside_their_cgroup()
    {
        // The reference and CI hosts run Linux 6 on x86-64: the kernel has the flag, so the path must be found.
        Assert.True(LinuxSpawner.CanSpawnIntoCgroup, "clone3 with CLONE_INTO_CGROUP was not found usable on this host");
    }

    [CgroupFact]
    public async Task A_child_created_inside_its_cgroup_is_the_program_itself_not_a_shim()
    {
        // The exec shim would exec the resolved path (argv[0] absolute); created in its leaf, the program gets the
        // name it was given.
        var result = await ProcessRunner.Default.OutputStringAsync(new Command("cat").WithArguments("/proc/self/cmdline", "/proc/self/cgroup").WithContainment(ContainmentMode.Cgroup)).Soon();

        Assert.StartsWith("cat\0", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("/run-", result.Stdout, StringComparison.Ordinal);
    }

    [CgroupFact]
    public async Task Every_stage_of_a_pipeline_created_in_the_cgroup_lands_in_the_same_leaf()
    {
        var result = await ProcessRunner.Default.OutputStringAsync((new Command("cat").WithArguments("/proc/self/cgroup") | new Command("sh").WithArguments("-c", "cat; cat /proc/self/cgroup")).WithContainment(ContainmentMode.Cgroup)).Soon();

        var leaves = result.Stdout.Split('\n').Where(l => l.StartsWith("0::", StringComparison.Ordinal)).Distinct().ToList();
        Assert.Single(leaves);
        Assert.Contains("/run-", leaves[0], StringComparison.Ordinal);
    }

    [CgroupFact]
    public async Task A_run_created_inside_its_cgroup_costs_the_warden_nothing_and_a_process_group_run_is_registered()
    {
        // The warden's cgroup.kill of the host's directory covers a run that was born in its leaf (OwnerDeathSpecs
        // kill the host to prove it); only a tree that lives outside a leaf needs its group registered.
        await using var inLeaf = await ProcessRunner.Default.StartAsync(new Command("sleep").WithArguments("30").WithContainment(ContainmentMode.Cgroup)).Soon();
        await using var inGroup = await ProcessRunner.Default.StartAsync(new Command("sleep").WithArguments("30").WithContainment(ContainmentMode.ProcessGroup)).Soon();

        Assert.False(Warden.Instance.Guards(inLeaf.Pid), "a run created inside its leaf was registered with the warden");
        Assert.True(Warden.Instance.Guards(inGroup.Pid), "a process-group run was not registered with the warden");

        await inGroup.StopAsync().Soon();
        Assert.False(Warden.Instance.Guards(inGroup.Pid), "a finished run stayed registered");
    }

    [CgroupFact]
    public async Task A_program_that_cannot_be_executed_fails_the_run_and_leaves_nothing()
    {
        var directory = Directory.CreateTempSubdirectory("tether-specs-").FullName;
        try
        {
            var program = await UnexecutableProgram.CreateAsync(directory);

            var failure = await Assert.ThrowsAsync<SpawnFailedException>(() => ProcessRunner.Default.OutputStringAsync(new Command(program).WithContainment(ContainmentMode.Cgroup))).Soon();

            Assert.Contains("not an executable format", failure.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
