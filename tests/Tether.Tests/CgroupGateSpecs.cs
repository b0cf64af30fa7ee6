using System.Globalization;
using Tether.Spawning;

namespace Tether.Tests;

/// <summary>
/// The default way into a cgroup: the child is held before exec while the gate moves it into its leaf, so the
/// program's very first look at itself already shows the leaf.
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
        var result = await ProcessRunner.Default.OutputStringAsync(
            new Command("env").WithClearedEnvironment().WithEnvironmentVariable("ONLY", "this").WithEnvironmentVariable("PATH", "/usr/bin:/bin").WithContainment(ContainmentMode.Cgroup)).Soon();

        Assert.Equal(["ONLY=this", "PATH=/usr/bin:/bin"], result.Stdout.Trim().Split('\n').Order(StringComparer.Ordinal));
    }

    [CgroupFact]
    public async Task Many_runs_through_the_gate_at_once_each_land_in_their_own_leaf()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 24).Select(_ =>
            ProcessRunner.Default.OutputStringAsync(new Command("cat").WithArguments("/proc/self/cgroup").WithContainment(ContainmentMode.Cgroup)))).Soon();

        var leaves = results.Select(r => r.Stdout.Split('\n').Single(l => l.StartsWith("0::", StringComparison.Ordinal))).ToList();
        Assert.All(leaves, leaf => Assert.Contains("/run-", leaf, StringComparison.Ordinal));
        Assert.Equal(leaves.Count, leaves.Distinct().Count());
    }
}
