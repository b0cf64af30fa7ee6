using Tether.Internal;
using Tether.Spawning;

namespace Tether.Tests;

/// <summary>
/// What a spawn through the <see cref="CgroupGate"/> leaves behind when its program cannot be executed: nothing. In
/// <see cref="ResourceSpecs"/>'s collection, alone, so that other specs' runs do not blur the counts.
/// </summary>
[Collection(nameof(ResourceSpecs))]
public sealed class CgroupGateResourceSpecs
{
    [CgroupFact]
    public async Task A_spawn_whose_exec_fails_in_the_gate_leaves_no_leaf_fifo_or_descriptor()
    {
        // Arrange: an executable file the kernel cannot run (no #! line, no known format), so exec fails after the gate
        // has moved the child into its leaf.
        var directory = Directory.CreateTempSubdirectory("tether-specs-").FullName;
        try
        {
            var program = await UnexecutableProgram.CreateAsync(directory);
            LinuxSpawner.ForceGate.Value = true;
            await FailAsync(program);
            var leavesBefore = Leaves();
            var descriptorsBefore = Directory.GetFileSystemEntries("/proc/self/fd").Length;

            // Act
            for (var i = 0; i < 20; i++)
            {
                await FailAsync(program);
            }

            // Assert
            // A leaf made ahead for the next run may have taken another's place, so the count is what must not grow.
            Assert.Equal(leavesBefore, Leaves());
            Assert.True(Directory.GetFileSystemEntries("/proc/self/fd").Length <= descriptorsBefore + 3, "descriptors were left open");
            var gate = CgroupGate.Instance!;
            Assert.Equal(2 * gate.SlotCount, Directory.GetFileSystemEntries(gate.Directory).Length);

            // The slot that served the failures serves a run as before.
            var result = await ProcessRunner.Default.OutputStringAsync(new Command("cat").WithArguments("/proc/self/cgroup").WithContainment(ContainmentMode.Cgroup)).Soon();
            Assert.Contains("/run-", result.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task FailAsync(string program)
    {
        var failure = await Assert.ThrowsAsync<SpawnFailedException>(() => ProcessRunner.Default.OutputStringAsync(new Command(program).WithContainment(ContainmentMode.Cgroup))).Soon();
        Assert.Contains("not an executable format", failure.Message, StringComparison.Ordinal);
    }

    private static int Leaves() => Directory.GetDirectories(CgroupHierarchy.RunsParent!, "run-*").Length;
}
