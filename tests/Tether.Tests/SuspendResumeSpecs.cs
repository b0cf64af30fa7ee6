using System.Globalization;

namespace Tether.Tests;

public sealed class SuspendResumeSpecs
{
    [Theory]
    [InlineData(ContainmentMode.Auto)]
    [InlineData(ContainmentMode.ProcessGroup)]
    public async Task A_suspended_program_does_nothing_until_it_is_resumed(ContainmentMode mode)
    {
        // Arrange: cat echoes each line we write, so we can tell whether it runs.
        await using var process = await ProcessRunner.Default.StartAsync(new Command("cat").WithStdin(StandardInput.Interactive).WithContainment(mode));
        await process.WriteStdinLineAsync("before");
        await process.WaitForLineAsync(l => l == "before", Bounds.Eventually);

        // Act
        await process.SuspendAsync();
        await process.WriteStdinLineAsync("while suspended");
        var echoedWhileSuspended = await process.ShowsLineWithinAsync("while suspended", TimeSpan.FromSeconds(1));
        await process.ResumeAsync();
        var echoedAfterResume = await process.ShowsLineWithinAsync("while suspended", Bounds.Eventually);

        // Assert
        Assert.False(echoedWhileSuspended, "a suspended program must not run");
        Assert.True(echoedAfterResume, "a resumed program runs again");
    }

    [Theory]
    [InlineData(ContainmentMode.Auto)]
    [InlineData(ContainmentMode.ProcessGroup)]
    public async Task Stopping_a_suspended_program_resumes_it_so_it_can_handle_the_stop_signal(ContainmentMode mode)
    {
        // Arrange
        await using var process = await ProcessRunner.Default.StartAsync(
            Shell.Command("trap 'echo stopping cleanly; exit 0' TERM; echo ready; while :; do sleep 0.1; done").WithContainment(mode));
        await process.WaitForLineAsync(l => l == "ready", Bounds.Eventually);
        await process.SuspendAsync();

        // Act
        var result = await process.StopAsync(TimeSpan.FromMinutes(2)).Soon();

        // Assert
        Assert.Equal(new Outcome.Exited(0), result.Outcome);
        Assert.Contains("stopping cleanly", result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ContainmentMode.Auto)]
    [InlineData(ContainmentMode.ProcessGroup)]
    public async Task Disposing_a_suspended_run_leaves_nothing_behind(ContainmentMode mode)
    {
        // Arrange
        using var leftovers = new Leftovers();
        var process = await ProcessRunner.Default.StartAsync(Dummy.Command("grandchild", "--then-sleep", "600000").WithContainment(mode));
        var line = await process.WaitForLineAsync(l => l.StartsWith("grandchild ", StringComparison.Ordinal), Bounds.Eventually);
        var tree = new[] { TrackedProcess.Of(process.Pid), leftovers.Track(int.Parse(line["grandchild ".Length..], CultureInfo.InvariantCulture)) };
        await process.SuspendAsync();

        // Act
        await process.DisposeAsync().AsTask().Soon();

        // Assert
        Assert.Empty(await ProcessTable.WaitUntilGoneAsync(tree));
    }
}
