using System.Globalization;

namespace Tether.Tests;

/// <summary>Runs that could hang or deadlock on their pipes, and do not.</summary>
public sealed class DrainSpecs
{
    [Fact]
    public async Task A_program_that_floods_stderr_before_writing_stdout_does_not_deadlock()
    {
        var result = await ProcessRunner.Default.OutputStringAsync(Dummy.Command("flood-stderr", "4000000", "then-stdout", "done")).Soon();

        Assert.Equal("done\n", result.Stdout);
        Assert.Equal(4_000_000, result.Stderr.Length);
    }

    [Theory]
    [InlineData(ContainmentMode.Auto)]
    [InlineData(ContainmentMode.ProcessGroup)]
    public async Task A_grandchild_that_keeps_stdout_open_does_not_hang_the_run_and_is_killed(ContainmentMode mode)
    {
        // Arrange
        using var leftovers = new Leftovers();
        var command = Dummy.Command("grandchild", "--hold-stdout").WithContainment(mode);

        // Act
        var result = await ProcessRunner.Default.OutputStringAsync(command).Soon();

        // Assert
        Assert.Equal(new Outcome.Exited(0), result.Outcome);
        Assert.StartsWith("grandchild ", result.Stdout, StringComparison.Ordinal);
        var grandchild = leftovers.TrackIfAlive(int.Parse(result.Stdout.Trim()["grandchild ".Length..], CultureInfo.InvariantCulture));
        Assert.Empty(await ProcessTable.WaitUntilGoneAsync(grandchild is { } g ? [g] : []));
    }

    [Fact]
    public async Task Output_a_descendant_writes_shortly_after_the_program_exited_is_kept()
    {
        // Arrange: the shell exits at once; its background child writes a moment later, well within the drain.
        var command = Shell.Command("(sleep 0.3; echo late) & echo early").WithDrainTimeout(Bounds.Eventually);

        // Act
        var result = await ProcessRunner.Default.OutputStringAsync(command).Soon();

        // Assert
        Assert.Equal("early\nlate\n", result.Stdout);
    }

    [Fact]
    public async Task The_drain_is_bounded_by_its_own_timeout()
    {
        // Arrange: a grandchild holds stdout forever; on a virtual clock only the drain timeout can end the run.
        using var leftovers = new Leftovers();
        var clock = VirtualClock.Create();
        await using var process = await new ProcessRunner(clock).StartAsync(Dummy.Command("grandchild", "--hold-stdout").WithDrainTimeout(TimeSpan.FromSeconds(5)));
        var line = await process.WaitForLineAsync(l => l.StartsWith("grandchild ", StringComparison.Ordinal), TimeSpan.FromDays(1)).Soon();
        leftovers.TrackIfAlive(int.Parse(line["grandchild ".Length..], CultureInfo.InvariantCulture));

        // Act
        var result = await clock.AdvanceUntilAsync(process.WaitAsync(), TimeSpan.FromSeconds(1));

        // Assert
        Assert.Equal(new Outcome.Exited(0), result.Outcome);
        Assert.True(result.Duration >= TimeSpan.FromSeconds(5), $"ended after {result.Duration}");
    }
}
