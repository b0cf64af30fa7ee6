using System.Globalization;
using Tether.Benchmarks.Contenders;
using Tether.Spawning;

namespace Tether.Benchmarks;

/// <summary>
/// <c>cgroup-spawn-paths [--rounds N]</c>: what each way of putting a child into its run's cgroup costs on this host,
/// round-robin against <c>Process</c> and a process group (no cgroup): created inside the cgroup (glibc's
/// <c>posix_spawnattr_setcgroup_np</c>, else Tether's own <c>clone3(CLONE_INTO_CGROUP)</c>), held before exec by the
/// gate and moved, or the <c>/bin/sh</c> exec shim. One <c>/bin/true</c> spawn-and-wait, then 16 at once.
/// </summary>
internal static class CgroupSpawnPaths
{
    public static async Task<int> RunAsync(string[] args)
    {
        var rounds = args is ["--rounds", var n] && int.TryParse(n, CultureInfo.InvariantCulture, out var parsed) && parsed > 0 ? parsed : 300;
        var probe = Containment.Probe();
        if (!probe.CgroupAvailable)
        {
            await Console.Error.WriteLineAsync($"cgroup-spawn-paths needs a writable cgroup v2 hierarchy: {probe.CgroupUnavailableReason}").ConfigureAwait(false);
            return 1;
        }

        Console.WriteLine($"Ways into the run's cgroup on this host: created inside it by {LinuxSpawner.SpawnIntoCgroupPath ?? "(not available here: that row goes through the gate)"}; the gate; the shim.");
        Console.WriteLine($"{rounds} rounds of spawn-and-wait, {Math.Max(10, rounds / 10)} of 16 at once; each path once per round, rotating order.");
        await Interleaved.CompareAsync("spawn and wait (/bin/true)", rounds, Paths(static run => run())).ConfigureAwait(false);
        await Interleaved.CompareAsync("16 concurrent children", Math.Max(10, rounds / 10), Paths(Interleaved.AllAsync)).ConfigureAwait(false);
        return 0;
    }

    private static (string Name, Func<Task<int>> Run)[] Paths(Func<Func<Task<int>>, Task<int>> shape) =>
    [
        ("Process", () => shape(static () => ProcessContender.ExitCodeAsync("/bin/true"))),
        ("Tether ProcessGroup", () => shape(static () => TetherContender.ExitCodeAsync(ContainmentMode.ProcessGroup, "/bin/true"))),
        ("cgroup: created in it", () => shape(static () => TetherContender.ExitCodeAsync(ContainmentMode.Cgroup, "/bin/true"))),
        ("cgroup: gate", () => Forced(LinuxSpawner.ForceGate, shape)),
        ("cgroup: shim", () => Forced(LinuxSpawner.ForceShim, shape)),
    ];

    /// <summary>Runs with a path forced for this async flow only (the setting does not leak back to the caller).</summary>
    private static async Task<int> Forced(AsyncLocal<bool> path, Func<Func<Task<int>>, Task<int>> shape)
    {
        path.Value = true;
        return await shape(static () => TetherContender.ExitCodeAsync(ContainmentMode.Cgroup, "/bin/true")).ConfigureAwait(false);
    }
}
