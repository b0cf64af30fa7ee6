namespace Tether.Tests;

public sealed class SignalSpecs
{
    [Fact]
    public async Task A_signal_reaches_every_process_of_the_tree()
    {
        // Arrange: a shell and its background child, each reporting SIGTERM (the shell then waits for the child).
        const string script = """
            trap 'echo parent got TERM' TERM
            ( trap 'echo child got TERM; exit 0' TERM; echo child ready; while :; do sleep 1; done ) &
            wait
            wait
            """;
        await using var process = await ProcessRunner.Default.StartAsync(Shell.Command(script));
        await process.WaitForLineAsync(l => l == "child ready", Bounds.Eventually);

        // Act
        await process.SignalAsync(Signal.Terminate);
        var result = await process.WaitAsync().Soon();

        // Assert
        Assert.Contains("parent got TERM\n", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("child got TERM\n", result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ContainmentMode.Auto)]
    [InlineData(ContainmentMode.ProcessGroup)]
    public async Task A_signal_sent_to_the_tree_reaches_each_process_once(ContainmentMode mode)
    {
        // Arrange: a real-time signal, which queues, so that a second delivery cannot hide behind the first.
        const string number = "40";
        await using var process = await ProcessRunner.Default.StartAsync(Dummy.Command("count-signal", number).WithContainment(mode));
        await process.WaitForLineAsync(l => l == "ready", Bounds.Eventually);

        // Act
        await process.SignalAsync(Signal.Parse(number));
        var first = await process.ShowsLineWithinAsync($"got {number} 1", Bounds.Eventually);
        var second = await process.ShowsLineWithinAsync($"got {number} 2", TimeSpan.FromSeconds(1));

        // Assert
        Assert.True(first, "the signal arrived");
        Assert.False(second, $"the signal arrived twice ({process.Mechanism})");
    }

    [Fact]
    public async Task Signalling_a_run_that_already_ended_is_harmless()
    {
        // Arrange
        await using var process = await ProcessRunner.Default.StartAsync(Shell.Command("exit 0"));
        var result = await process.WaitAsync().Soon();

        // Act
        await process.SignalAsync(Signal.Kill);

        // Assert
        Assert.Equal(new Outcome.Exited(0), result.Outcome);
        Assert.Equal(new Outcome.Exited(0), (await process.WaitAsync()).Outcome);
    }

    [Theory]
    [InlineData(9)]
    [InlineData(15)]
    [InlineData(2)]
    public async Task A_program_killed_by_a_signal_is_reported_as_Signalled(int number)
    {
        var result = await ProcessRunner.Default.OutputStringAsync(Shell.Command($"kill -{number} $$"));

        Assert.Equal(new Outcome.Signalled(new Signal(number)), result.Outcome);
        Assert.Null(result.ExitCode);
        Assert.False(result.IsSuccess);
    }

    [Fact]
    public async Task A_signal_sent_by_someone_else_is_reported_as_Signalled()
    {
        // Arrange
        await using var process = await ProcessRunner.Default.StartAsync(Shell.Command("echo ready; exec sleep 600"));
        await process.WaitForLineAsync(l => l == "ready", Bounds.Eventually);

        // Act
        Assert.True(ProcessTable.Signal(process.Pid, 15));
        var result = await process.WaitAsync().Soon();

        // Assert
        Assert.Equal(new Outcome.Signalled(Signal.Terminate), result.Outcome);
    }

    [Fact]
    public async Task RunAsync_throws_SignalledException_naming_the_signal()
    {
        var error = await Assert.ThrowsAsync<SignalledException>(() => ProcessRunner.Default.RunAsync(Shell.Command("kill -KILL $$")));

        Assert.Equal(Signal.Kill, error.Signal);
        Assert.Contains("SIGKILL", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(42)]
    [InlineData(255)]
    public async Task The_exit_code_is_reported_as_it_is(int code)
    {
        var result = await ProcessRunner.Default.OutputStringAsync(Shell.Command($"exit {code}"));

        Assert.Equal(new Outcome.Exited(code), result.Outcome);
        Assert.Equal(code, result.ExitCode);
        Assert.Equal(code == 0, result.IsSuccess);
    }

    [Theory]
    [InlineData("TERM", 15)]
    [InlineData("SIGTERM", 15)]
    [InlineData("sigkill", 9)]
    [InlineData("15", 15)]
    [InlineData(" INT ", 2)]
    public void I_can_name_a_signal_the_way_people_write_it(string text, int number)
    {
        Assert.Equal(new Signal(number), Signal.Parse(text));
    }

    [Fact]
    public void An_unknown_signal_name_is_refused_with_the_accepted_forms()
    {
        var error = Assert.Throws<FormatException>(() => Signal.Parse("SIGNOPE"));

        Assert.Contains("TERM", error.Message, StringComparison.Ordinal);
        Assert.False(Signal.TryParse("65", out _));
        Assert.Equal("SIGTERM", Signal.Terminate.ToString());
    }
}
