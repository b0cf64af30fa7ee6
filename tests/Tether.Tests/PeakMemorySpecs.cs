namespace Tether.Tests;

public sealed class PeakMemorySpecs
{
    [Fact]
    public async Task A_program_that_uses_a_lot_of_memory_reports_at_least_that_much()
    {
        // Arrange: dash keeps a command substitution's output in memory, so this shell holds ~300 MB at its peak.
        var command = Shell.Command("x=$(head -c 300000000 /dev/zero | tr '\\0' a); echo ${#x}");

        // Act
        var result = await ProcessRunner.Default.OutputStringAsync(command).Soon();

        // Assert
        Assert.Equal("300000000", result.Stdout.Trim());
        Assert.NotNull(result.PeakMemoryBytes);
        Assert.True(result.PeakMemoryBytes >= 300_000_000, $"peak {result.PeakMemoryBytes}");
    }

    [Fact]
    public async Task A_tiny_program_never_reports_the_hosts_memory_as_its_own()
    {
        // A spawned child shares our address space until it execs, and the kernel folds our high-water mark into its
        // ru_maxrss; /bin/true itself needs about a megabyte.
        var result = await ProcessRunner.Default.OutputStringAsync(new Command("/bin/true")).Soon();

        Assert.True(result.PeakMemoryBytes is null or < 16 * 1024 * 1024, $"peak {result.PeakMemoryBytes}");
    }

    [Fact]
    public async Task A_tiny_program_run_again_and_again_never_reports_the_hosts_memory_either()
    {
        // The host's peak is remembered between runs (it only grows); every run must still be judged against it.
        for (var i = 0; i < 20; i++)
        {
            var result = await ProcessRunner.Default.OutputStringAsync(new Command("/bin/true")).Soon();
            Assert.True(result.PeakMemoryBytes is null or < 16 * 1024 * 1024, $"run {i}: peak {result.PeakMemoryBytes}");
        }
    }

    [Fact]
    public void The_hosts_peak_is_at_least_a_byte_and_never_more_than_all_memory()
    {
        Assert.True(Internal.HostMemory.PeakIsAtLeast(1));
        Assert.False(Internal.HostMemory.PeakIsAtLeast(long.MaxValue));
        Assert.True(Internal.HostMemory.PeakIsAtLeast(1));
    }
}
