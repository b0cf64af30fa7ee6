namespace Tether.Testing.Tests;

public sealed class FaultInjectingRunnerSpecs
{
    [Fact]
    public async Task The_nth_call_fails_to_spawn_and_the_others_reach_the_inner_runner()
    {
        var inner = new RecordingRunner(new ScriptedRunner().Fallback(Reply.Ok("fine")));
        var runner = new FaultInjectingRunner(inner).OnCall(2, Fault.SpawnFailure());

        var first = await runner.RunAsync(new Command("job")).Soon();
        var second = await Assert.ThrowsAsync<SpawnFailedException>(() => runner.RunAsync(new Command("job")));
        var third = await runner.RunAsync(new Command("job")).Soon();

        Assert.Equal("fine", first);
        Assert.Equal("fine", third);
        Assert.Equal(11, second.Errno);
        Assert.Equal("job", second.Program);
        Assert.Equal(3, runner.Calls);
        Assert.Equal(1, runner.Injected);
        Assert.Equal(2, inner.Invocations.Count);
    }

    [Fact]
    public async Task A_retry_loop_recovers_from_injected_timeouts()
    {
        var runner = new FaultInjectingRunner(new ScriptedRunner().Fallback(Reply.Ok("done"))).OnFirstCalls(2, Fault.TimedOut());
        var command = new Command("flaky").WithTimeout(TimeSpan.FromSeconds(10));

        string? output = null;
        var attempts = 0;
        while (output is null)
        {
            attempts++;
            try
            {
                output = await runner.RunAsync(command).Soon();
            }
            catch (TimedOutException error)
            {
                Assert.Equal(new Outcome.TimedOut(TimeoutKind.Overall, TimeSpan.FromSeconds(10)), error.Result.Outcome);
            }
        }

        Assert.Equal(3, attempts);
        Assert.Equal("done", output);
    }

    [Fact]
    public async Task Signals_exits_and_a_missing_program_can_be_injected_per_program()
    {
        var runner = new FaultInjectingRunner(new ScriptedRunner().Fallback(Reply.Ok()))
            .OnProgram("killed", Fault.Signalled(Signal.Kill))
            .OnProgram("broken", Fault.Exit(3, "boom\n"))
            .OnProgram("absent", Fault.ProgramNotFound());

        var killed = await Assert.ThrowsAsync<SignalledException>(() => runner.RunAsync(new Command("killed")));
        var broken = await Assert.ThrowsAsync<NonZeroExitException>(() => runner.RunAsync(new Command("broken")));
        await Assert.ThrowsAsync<ProgramNotFoundException>(() => runner.RunAsync(new Command("absent")));
        await runner.RunAsync(new Command("healthy")).Soon();

        Assert.Equal(Signal.Kill, killed.Signal);
        Assert.Equal(3, broken.ExitCode);
        Assert.Equal(3, runner.Injected);
    }

    [Fact]
    public async Task A_started_process_can_be_made_to_time_out()
    {
        var runner = new FaultInjectingRunner(new ScriptedRunner().Fallback(Reply.Ok())).OnCall(1, Fault.TimedOut("half\n"));

        await using var process = await runner.StartAsync(new Command("server").WithTimeout(TimeSpan.FromSeconds(3))).Soon();
        var result = await process.WaitAsync().Soon();

        Assert.Equal(new Outcome.TimedOut(TimeoutKind.Overall, TimeSpan.FromSeconds(3)), result.Outcome);
        Assert.Equal("half\n", result.Stdout);
    }

    [Fact]
    public async Task Any_exception_can_be_injected()
    {
        var runner = new FaultInjectingRunner(new ScriptedRunner()).OnCalls((n, i) => i.HasFlag("--remote"), Fault.Throw(i => new IOException($"network down for {i.Program}")));

        var error = await Assert.ThrowsAsync<IOException>(() => runner.OutputStringAsync(new Command("sync").WithArguments("--remote")));

        Assert.Equal("network down for sync", error.Message);
    }
}
