namespace Tether.Tests;

public sealed class PipelineSpecs
{
    private static readonly Command Cat = new("cat");

    [Fact]
    public async Task I_can_connect_programs_into_a_pipeline()
    {
        var pipeline = Shell.Command(@"printf 'x\ny\nz\n'") | Cat | Shell.Command("while read l; do echo \"<$l>\"; done");

        var stdout = await ProcessRunner.Default.RunAsync(pipeline);

        Assert.Equal("<x>\n<y>\n<z>", stdout);
    }

    [Fact]
    public async Task A_pipeline_reports_every_stage()
    {
        // Act
        var result = await ProcessRunner.Default.OutputStringAsync(Shell.Command("echo a") | Cat | Cat);

        // Assert
        Assert.Equal(3, result.Stages.Length);
        Assert.All(result.Stages, stage => Assert.Equal(new Outcome.Exited(0), stage.Outcome));
        Assert.Equal(3, result.Stages.Select(s => s.Pid).Distinct().Count());
        Assert.Equal(result.Stages[^1].Pid, result.Pid);
        Assert.Null(result.BlamedStage);
        Assert.True(result.IsSuccess);
        Assert.Equal("/bin/sh -c 'echo a' | cat | cat", result.Program);
    }

    [Fact]
    public async Task Stdin_feeds_the_first_stage_and_stdout_comes_from_the_last()
    {
        var pipeline = Cat.WithStdin("hello\n") | Shell.Command("read l; echo \"got $l\"");

        var stdout = await ProcessRunner.Default.RunAsync(pipeline);

        Assert.Equal("got hello", stdout);
    }

    [Fact]
    public async Task Stderr_of_every_stage_is_captured()
    {
        var pipeline = Shell.Command("echo from-first >&2; echo data") | Shell.Command("cat >/dev/null; echo from-second >&2");

        var result = await ProcessRunner.Default.OutputStringAsync(pipeline);

        Assert.Contains("from-first\n", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("from-second\n", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task The_first_stage_that_really_failed_is_blamed()
    {
        var pipeline = Shell.Command("echo data; exit 3") | Shell.Command("cat; exit 5") | Cat;

        var result = await ProcessRunner.Default.OutputStringAsync(pipeline);

        Assert.Equal(0, result.BlamedStage);
        Assert.Equal(new Outcome.Exited(3), result.Outcome);
        Assert.Equal(new Outcome.Exited(5), result.Stages[1].Outcome);
        Assert.False(result.IsSuccess);
        Assert.Equal("data\n", result.Stdout);
    }

    [Fact]
    public async Task A_later_stage_is_blamed_when_the_earlier_ones_succeeded()
    {
        var result = await ProcessRunner.Default.OutputStringAsync(Shell.Command("echo data") | Shell.Command("cat >/dev/null; exit 4") | Cat);

        Assert.Equal(1, result.BlamedStage);
        Assert.Equal(new Outcome.Exited(4), result.Outcome);
    }

    [Fact]
    public async Task A_pipeline_fails_when_an_early_stage_fails_even_if_the_last_succeeds()
    {
        var error = await Assert.ThrowsAsync<NonZeroExitException>(() => ProcessRunner.Default.RunAsync(Shell.Command("exit 3") | Cat));

        Assert.Equal(3, error.ExitCode);
    }

    [Fact]
    public async Task A_stage_killed_by_SIGPIPE_because_a_later_stage_stopped_reading_is_not_blamed()
    {
        var pipeline = new Command("yes") | new Command("head").WithArguments("-n", "1");

        var result = await ProcessRunner.Default.OutputStringAsync(pipeline).Soon();

        Assert.True(result.IsSuccess, result.ToString());
        Assert.Null(result.BlamedStage);
        Assert.Equal("y\n", result.Stdout);
        Assert.Equal(new Outcome.Exited(0), result.Outcome);
    }

    [Fact]
    public async Task Programs_start_with_the_default_SIGPIPE_behaviour()
    {
        // .NET ignores SIGPIPE in its own process; a child that inherited that would see EPIPE errors instead of dying quietly.
        var result = await ProcessRunner.Default.OutputStringAsync(new Command("yes") | new Command("head").WithArguments("-n", "1")).Soon();

        Assert.Equal(new Outcome.Signalled(Signal.Pipe), result.Stages[0].Outcome);
        Assert.Equal("", result.Stderr);
    }

    [Fact]
    public async Task A_SIGPIPE_victim_is_skipped_and_the_real_failure_is_blamed()
    {
        var result = await ProcessRunner.Default.OutputStringAsync(new Command("yes") | Shell.Command("read l; exit 4")).Soon();

        Assert.Equal(1, result.BlamedStage);
        Assert.Equal(new Outcome.Exited(4), result.Outcome);
    }

    [Fact]
    public async Task A_pipeline_times_out_as_a_whole_and_leaves_no_stage_running()
    {
        // Arrange
        var clock = VirtualClock.Create();
        var pipeline = (Shell.Command("echo start; exec sleep 600") | Cat).WithTimeout(TimeSpan.FromSeconds(5));
        await using var process = await new ProcessRunner(clock).StartAsync(pipeline);
        await process.WaitForLineAsync(l => l == "start", TimeSpan.FromDays(1)).Soon();
        var stages = process.Pids.Select(TrackedProcess.Of).ToList();

        // Act
        var result = await clock.AdvanceUntilAsync(process.WaitAsync(), TimeSpan.FromSeconds(1));

        // Assert
        Assert.Equal(new Outcome.TimedOut(TimeoutKind.Overall, TimeSpan.FromSeconds(5)), result.Outcome);
        Assert.Null(result.BlamedStage);
        Assert.Equal("start\n", result.Stdout);
        Assert.Empty(await ProcessTable.WaitUntilGoneAsync(stages));
    }

    [Fact]
    public async Task A_pipeline_has_the_same_verbs_as_a_command()
    {
        Assert.Equal(3, await ProcessRunner.Default.ExitCodeAsync(Shell.Command("exit 3") | Cat));
        Assert.True(await ProcessRunner.Default.ProbeAsync(Shell.Command("echo x") | Shell.Command("cat >/dev/null")));
        Assert.False(await ProcessRunner.Default.ProbeAsync(Shell.Command("echo x") | Shell.Command("cat >/dev/null; exit 1")));

        await using var process = await ProcessRunner.Default.StartAsync(Shell.Command("echo a; echo b") | Cat);
        Assert.Equal(["a", "b"], await process.StdoutLines().ToListAsync().AsTask().Soon());
    }

    [Fact]
    public void A_pipeline_describes_itself_like_a_shell_would()
    {
        var pipeline = new Command("yes") | new Command("head").WithArguments("-n", "1") | Cat;

        Assert.Equal("yes | head -n 1 | cat", pipeline.ToString());
    }
}
