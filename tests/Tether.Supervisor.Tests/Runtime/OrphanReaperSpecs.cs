using System.Globalization;
using System.Runtime.InteropServices;
using Tether.Supervisor.Reaping;

namespace Tether.Supervisor.Tests.Runtime;

/// <summary>Runs alone: it makes this test process a child subreaper (orphans come to it, as they come to PID 1), which no other spec must see.</summary>
[CollectionDefinition(nameof(OrphanReaperCollection), DisableParallelization = true)]
public sealed class OrphanReaperCollection;

/// <summary>
/// The PID 1 duty, on this process made a child subreaper (<c>PR_SET_CHILD_SUBREAPER</c>): orphans are re-parented to
/// it exactly as they are to PID 1, so the reaper's work and its restraint show without a PID namespace.
/// </summary>
[Collection(nameof(OrphanReaperCollection))]
public sealed partial class OrphanReaperSpecs
{
    private const int PR_SET_CHILD_SUBREAPER = 36;

    [Fact]
    public async Task Orphaned_zombies_are_reaped_and_the_exit_status_of_our_own_run_is_left_to_the_core()
    {
        Assert.Equal(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
        using var reaper = OrphanReaper.Always();
        try
        {
            // The shell leaves a child behind and exits 7: the child is orphaned to us and exits a moment later.
            reaper.BeginSpawn();
            var run = await ProcessRunner.Default.StartAsync(new Command("/bin/sh").WithArguments("-c", "sleep 0.3 & echo $!; exit 7"));
            reaper.EndSpawn(run.Pids);
            var orphan = int.Parse((await run.StdoutLines().FirstAsync()).Trim(), CultureInfo.InvariantCulture);
            await using (run)
            {
                var result = await run.WaitAsync().Soon();
                Assert.Equal(7, result.ExitCode); // the core got its child's status: the reaper did not take it
            }

            reaper.Release(run.Pids);
            Assert.True(await Bounds.EventuallyAsync(() => reaper.Reaped >= 1 && !Directory.Exists($"/proc/{orphan}")),
                $"the orphan {orphan} was reaped (reaped so far: {reaper.Reaped})");
        }
        finally
        {
            _ = prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int prctl(int option, ulong arg2, ulong arg3, ulong arg4, ulong arg5);
}
