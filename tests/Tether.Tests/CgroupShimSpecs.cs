using System.Globalization;
using Tether.Spawning;

namespace Tether.Tests;

/// <summary>
/// The fallback way into a cgroup, for hosts without <c>/proc/…/children</c>: a <c>/bin/sh</c> exec shim. Forced here
/// so that the path stays correct on hosts where the gate is normally used.
/// </summary>
public sealed class CgroupShimSpecs
{
    [CgroupFact]
    public async Task Through_the_shim_the_program_runs_in_a_cgroup_of_its_own()
    {
        // Act
        UseShim();
        var result = await ProcessRunner.Default.OutputStringAsync(new Command("cat").WithArguments("/proc/self/cgroup").WithContainment(ContainmentMode.Cgroup)).Soon();

        // Assert
        Assert.Equal(ContainmentMechanism.Cgroup, result.Mechanism);
        var line = result.Stdout.Split('\n').Single(l => l.StartsWith("0::", StringComparison.Ordinal));
        Assert.Contains("/tether-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "/run-", line, StringComparison.Ordinal);
    }

    [CgroupFact]
    public async Task The_shim_is_really_in_the_path_when_forced()
    {
        // The shim execs the resolved path, so the program's argv[0] is absolute; the gate passes the name as given.
        UseShim();
        var result = await ProcessRunner.Default.OutputStringAsync(new Command("cat").WithArguments("/proc/self/cmdline").WithContainment(ContainmentMode.Cgroup)).Soon();

        Assert.StartsWith("/", result.Stdout, StringComparison.Ordinal);
    }

    [CgroupFact]
    public async Task Through_the_shim_a_cleared_environment_holds_exactly_what_I_set()
    {
        UseShim();
        var command = new Command("/usr/bin/env").WithClearedEnvironment().WithEnvironmentVariable("ONLY", "this").WithContainment(ContainmentMode.Cgroup);

        var result = await ProcessRunner.Default.OutputStringAsync(command).Soon();

        Assert.Equal("ONLY=this", result.Stdout.Trim());
    }

    [CgroupFact]
    public async Task Through_the_shim_an_explicit_PWD_reaches_the_program_unchanged()
    {
        UseShim();
        var command = new Command("/usr/bin/env").WithClearedEnvironment().WithEnvironmentVariable("PWD", "/somewhere/else").WithContainment(ContainmentMode.Cgroup);

        var result = await ProcessRunner.Default.OutputStringAsync(command).Soon();

        Assert.Equal("PWD=/somewhere/else", result.Stdout.Trim());
    }

    [CgroupFact]
    public async Task Through_the_shim_disposing_kills_a_grandchild_that_called_setsid()
    {
        UseShim();
        // Arrange
        using var leftovers = new Leftovers();
        var process = await ProcessRunner.Default.StartAsync(Shell.Command("setsid sleep 600 </dev/null >/dev/null 2>&1 & echo grandchild $!; wait").WithContainment(ContainmentMode.Cgroup));
        TrackedProcess grandchild;
        await using (process)
        {
            var line = await process.WaitForLineAsync(l => l.StartsWith("grandchild ", StringComparison.Ordinal), Bounds.Eventually).Soon();
            grandchild = leftovers.Track(int.Parse(line["grandchild ".Length..], CultureInfo.InvariantCulture));
        }

        // Assert
        Assert.Empty(await ProcessTable.WaitUntilGoneAsync([grandchild]));
    }

    [CgroupFact]
    public async Task Through_the_shim_exit_codes_and_arguments_arrive_verbatim()
    {
        UseShim();
        var command = Shell.Command("printf '%s|' \"$@\"; exit 7").AddArgument("sh").AddArgument("a b").AddArgument("").AddArgument("ünï").WithContainment(ContainmentMode.Cgroup);

        var result = await ProcessRunner.Default.OutputStringAsync(command).Soon();

        Assert.Equal(new Outcome.Exited(7), result.Outcome);
        Assert.Equal("a b||ünï|", result.Stdout);
    }

    private static void UseShim() => LinuxSpawner.ForceShim.Value = true;
}
