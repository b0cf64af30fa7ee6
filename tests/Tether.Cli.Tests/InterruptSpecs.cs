using Tether.Cli.Tests.Infrastructure;

namespace Tether.Cli.Tests;

/// <summary>
/// An interrupt (Ctrl+C, SIGTERM, SIGHUP) stops the tree gracefully and tether exits 130; a second one kills at once.
/// These drive <see cref="Interruption"/> in-process; EndToEndSpecs sends real signals.
/// </summary>
public sealed class InterruptSpecs
{
    [Fact]
    public async Task An_interrupt_stops_the_tree_and_exits_130()
    {
        using var interruption = new Interruption();
        var (run, console) = Tool.Start(Dummy.Run(["--json"], "count-signal", "10"), interruption);

        await Tool.EventuallyAsync(() => console.Stdout.Contains("ready", StringComparison.Ordinal), "the program is ready");
        interruption.Request();
        var exitCode = await run.WaitAsync(Tool.Hang);

        Assert.Equal(130, exitCode);
        var lines = console.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("\"outcome\":\"interrupted\"", lines[^1], StringComparison.Ordinal);
        Assert.Contains("interrupted: sent SIGTERM to the process tree", console.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_interrupt_kills_a_program_that_ignores_the_stop_signal_without_waiting_for_the_grace()
    {
        using var interruption = new Interruption();
        var (run, console) = Tool.Start(Dummy.Run(["--grace", "10m"], "ignore-term", "600000"), interruption);
        await Tool.EventuallyAsync(() => console.Stdout.Contains("ready", StringComparison.Ordinal), "the program ignores SIGTERM");

        interruption.Request();
        interruption.Request();

        // Far less than the 10 minute grace, however slow the machine.
        Assert.Equal(130, await run.WaitAsync(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task An_interrupt_before_the_program_starts_exits_130_without_starting_it()
    {
        using var interruption = new Interruption();
        interruption.Request();

        var result = await Tool.RunAsync(Dummy.Run("print", "should-not-run"), stdin: null, interruption);

        Assert.Equal(130, result.ExitCode);
        Assert.DoesNotContain("should-not-run", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("interrupted before the program started", result.SingleErrorLine(), StringComparison.Ordinal);
    }
}
