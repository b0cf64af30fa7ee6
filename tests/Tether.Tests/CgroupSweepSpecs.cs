using System.Globalization;
using Tether.Internal;
using Tether.Interop;
using Tether.Tests.Infrastructure;

namespace Tether.Tests;

/// <summary>
/// Which <c>tether-PID</c> directories a host sweeps as a dead host's: only those whose pid it cannot see and whose
/// ownership lock nobody holds. A host in another pid namespace (a container, <c>unshare --pid</c>) sees none of the pids
/// outside it, and must not take a live host's empty leaves (a spare, or one whose child is about to join it) for a
/// dead host's: the run that owns such a leaf would fail to put its child into it.
/// </summary>
public sealed class CgroupSweepSpecs
{
    [Fact]
    public void A_dead_hosts_empty_leaves_are_removed_when_nobody_holds_its_lock()
    {
        // Arrange
        var directory = Directory.CreateTempSubdirectory("tether-sweep-").FullName;
        try
        {
            var host = Path.Combine(directory, "tether-" + InvisiblePid());
            Directory.CreateDirectory(Path.Combine(host, "run-1"));

            // Act
            CgroupHierarchy.SweepStaleSiblings(directory);

            // Assert
            Assert.False(Directory.Exists(host));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void A_host_whose_pid_is_not_visible_here_keeps_its_empty_leaves_while_it_holds_its_lock()
    {
        // Arrange: the host "lives in another pid namespace": its pid is nowhere in this /proc, but it holds the lock.
        var directory = Directory.CreateTempSubdirectory("tether-sweep-").FullName;
        try
        {
            var host = Path.Combine(directory, "tether-" + InvisiblePid());
            var spare = Path.Combine(host, "run-7");
            Directory.CreateDirectory(spare);
            using var ownership = Libc.Open(host, OpenFlags.ReadOnly | OpenFlags.Directory | OpenFlags.CloseOnExec, 0);
            Assert.Equal(0, Libc.flock(ownership, Libc.LockOperations.Shared));

            // Act
            CgroupHierarchy.SweepStaleSiblings(directory);

            // Assert
            Assert.True(Directory.Exists(spare));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [CgroupFact]
    public async Task A_host_holds_the_lock_on_its_own_runs_directory_once_it_ran_something_in_a_cgroup()
    {
        // Arrange
        await ProcessRunner.Default.ExitCodeAsync(new Command("/bin/true").WithContainment(ContainmentMode.Cgroup).ToPipeline());
        var parent = CgroupHierarchy.RunsParent;
        Assert.NotNull(parent);

        // Act: what a sweeping host in another pid namespace would try.
        using var probe = Libc.Open(parent, OpenFlags.ReadOnly | OpenFlags.Directory | OpenFlags.CloseOnExec, 0);
        var taken = Libc.flock(probe, Libc.LockOperations.Exclusive | Libc.LockOperations.NonBlocking);

        // Assert
        Assert.False(probe.IsInvalid);
        Assert.NotEqual(0, taken);
    }

    /// <summary>A pid no process here can have: one above the kernel's <c>pid_max</c>.</summary>
    private static string InvisiblePid() =>
        (int.Parse(File.ReadAllText("/proc/sys/kernel/pid_max").Trim(), CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture);
}
