using System.Diagnostics;
using System.Globalization;
using Tether.Benchmarks.Contenders;
using Tether.Internal;
using Tether.Spawning;

namespace Tether.Benchmarks;

/// <summary>
/// <c>cgroup-spawn-paths [--rounds N]</c>: what each way of putting a child into its run's cgroup costs on this host,
/// round-robin against <c>Process</c> and a process group (no cgroup): created inside the cgroup (glibc's
/// <c>posix_spawnattr_setcgroup_np</c>, else Tether's own <c>clone3(CLONE_INTO_CGROUP)</c>), held before exec by the
/// gate and moved, or the <c>/bin/sh</c> exec shim; and a process group forced through the gate, which is the gate's
/// hand-off alone (no leaf, no migration). One <c>/bin/true</c> spawn-and-wait, then 16 at once; then the steps a
/// cgroup run adds, each timed alone: the leaf's <c>mkdir</c> and <c>rmdir</c>, moving a sleeping child into a fresh
/// leaf, and reading a thread's <c>children</c> file. "… in a fresh leaf" is the first path with a new leaf for every run
/// instead of an earlier run's empty one.
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
        await StepsAsync(rounds).ConfigureAwait(false);
        return 0;
    }

    /// <summary>Times each step a cgroup run adds, alone, <paramref name="rounds"/> times; prints medians and tenths.</summary>
    private static async Task StepsAsync(int rounds)
    {
        var (mkdir, rmdir, move, children) = (new List<double>(), new List<double>(), new List<double>(), new List<double>());
        var known = new List<int>();
        for (var i = 0; i < rounds; i++)
        {
            var start = Stopwatch.GetTimestamp();
            var leaf = CgroupHierarchy.MakeLeaf();
            mkdir.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);

            // A child asleep (as a held child is, in its FIFO open) moved into the fresh leaf.
            await using (var sleeper = await ProcessRunner.Default.StartAsync(new Command("/bin/sleep").WithArguments("60").WithContainment(ContainmentMode.ProcessGroup)).ConfigureAwait(false))
            {
                await Task.Delay(2).ConfigureAwait(false);
                start = Stopwatch.GetTimestamp();
                var errno = KernelFile.WriteNumber(leaf.ProcsFile, sleeper.Pid);
                move.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
                if (errno != 0)
                {
                    throw new InvalidOperationException($"moving pid {sleeper.Pid} into {leaf.Path} failed: errno {errno}");
                }
            }

            while (leaf.IsPopulated())
            {
                await Task.Delay(1).ConfigureAwait(false);
            }

            start = Stopwatch.GetTimestamp();
            var removed = leaf.TryRemove();
            rmdir.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
            if (!removed)
            {
                throw new InvalidOperationException($"{leaf.Path} could not be removed");
            }

            start = Stopwatch.GetTimestamp();
            CgroupGate.ReadChildren("/proc/thread-self/children", known);
            children.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        }

        Console.WriteLine();
        Console.WriteLine($"Steps a cgroup run adds, each alone, {rounds} times (median, fastest tenth, slowest tenth):");
        foreach (var (name, times) in new[] { ("leaf mkdir", mkdir), ("leaf rmdir", rmdir), ("move a sleeping child into a fresh leaf", move), ("read a children file", children) })
        {
            times.Sort();
            Console.WriteLine($"  {name,-42} {times[times.Count / 2],8:F1} µs  {times[times.Count / 10],8:F1}  {times[times.Count * 9 / 10],8:F1}");
        }
    }

    private static (string Name, Func<Task<int>> Run)[] Paths(Func<Func<Task<int>>, Task<int>> shape) =>
    [
        ("Process", () => shape(static () => ProcessContender.ExitCodeAsync("/bin/true"))),
        ("Tether ProcessGroup", () => shape(static () => TetherContender.ExitCodeAsync(ContainmentMode.ProcessGroup, "/bin/true"))),
        ("cgroup: created in it", () => shape(static () => TetherContender.ExitCodeAsync(ContainmentMode.Cgroup, "/bin/true"))),
        ("… in a fresh leaf", () => Forced(CgroupHierarchy.FreshLeaves, shape)),
        ("cgroup: gate", () => Forced(LinuxSpawner.ForceGate, shape)),
        ("cgroup: shim", () => Forced(LinuxSpawner.ForceShim, shape)),
        ("ProcessGroup, gate", () => Forced(LinuxSpawner.ForceGate, shape, ContainmentMode.ProcessGroup)),
    ];

    /// <summary>Runs with a path forced for this async flow only (the setting does not leak back to the caller).</summary>
    private static async Task<int> Forced(AsyncLocal<bool> path, Func<Func<Task<int>>, Task<int>> shape, ContainmentMode mode = ContainmentMode.Cgroup)
    {
        path.Value = true;
        return await shape(() => TetherContender.ExitCodeAsync(mode, "/bin/true")).ConfigureAwait(false);
    }
}
