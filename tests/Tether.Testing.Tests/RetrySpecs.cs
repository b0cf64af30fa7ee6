using Microsoft.Extensions.Time.Testing;

namespace Tether.Testing.Tests;

public sealed class RetrySpecs
{
    [Fact]
    public async Task A_command_with_a_retry_policy_gets_through_injected_transient_spawn_failures_on_the_runners_clock()
    {
        // Arrange: the first two calls fail with EAGAIN; the backoff waits on the runner's virtual clock.
        var clock = new FakeTimeProvider();
        var inner = new RecordingRunner(new ScriptedRunner(clock).Fallback(Reply.Ok("up\n")));
        var runner = new FaultInjectingRunner(inner, clock).OnFirstCalls(2, Fault.SpawnFailure());
        var command = new Command("flaky").WithRetry(3, Backoff.Constant(TimeSpan.FromSeconds(10)));

        // Act
        var running = runner.OutputStringAsync(command);
        while (!running.IsCompleted)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(running, Task.Delay(10));
        }

        var result = await running;

        // Assert
        Assert.Equal("up\n", result.Stdout);
        Assert.Equal(3, runner.Calls);
        Assert.Single(inner.Invocations);
        Assert.Equal([TimeSpan.Zero, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10)], result.Attempts.Select(a => a.DelayBefore));
        Assert.All(result.Attempts.Take(2), a => Assert.Equal(11, Assert.IsType<SpawnFailedException>(a.Error).Errno));
        Assert.Equal(new Outcome.Exited(0), result.Attempts[2].Outcome);
        Assert.True(clock.GetUtcNow() - clock.Start >= TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task A_recording_runner_backs_off_on_the_clock_of_the_runner_it_wraps()
    {
        // Arrange: the recorder is outermost, so the verbs wait on its clock; it must be the scripted runner's virtual one.
        var clock = new FakeTimeProvider();
        var faulty = new FaultInjectingRunner(new ScriptedRunner(clock).Fallback(Reply.Ok("up\n")), clock).OnFirstCalls(1, Fault.SpawnFailure());
        var runner = new RecordingRunner(faulty);
        var command = new Command("flaky").WithRetry(2, Backoff.Constant(TimeSpan.FromHours(1)));

        // Act: the backoff is an hour; only the virtual clock can make it pass in this spec's lifetime.
        var running = runner.OutputStringAsync(command);
        for (var step = 0; step < 500 && !running.IsCompleted; step++)
        {
            clock.Advance(TimeSpan.FromMinutes(10));
            await Task.WhenAny(running, Task.Delay(10));
        }

        // Assert
        Assert.True(running.IsCompleted, "the backoff did not follow the virtual clock");
        var result = await running;
        Assert.Same(clock, runner.TimeProvider);
        Assert.Equal("up\n", result.Stdout);
        Assert.Equal(2, result.Attempts.Length);
        Assert.Equal(TimeSpan.FromHours(1), result.Attempts[1].DelayBefore);
    }

    [Fact]
    public async Task Injected_timeouts_are_retried_by_the_checking_verb_and_the_last_one_is_thrown()
    {
        var runner = new FaultInjectingRunner(new ScriptedRunner().Fallback(Reply.Ok("done"))).OnFirstCalls(5, Fault.TimedOut());
        var command = new Command("slow").WithTimeout(TimeSpan.FromSeconds(10)).WithRetry(3, Backoff.Constant(TimeSpan.Zero));

        var error = await Assert.ThrowsAsync<TimedOutException>(() => runner.RunAsync(command));

        Assert.Equal(3, runner.Calls);
        Assert.Equal(3, error.Result.Attempts.Length);
    }

    [Fact]
    public async Task StartAsync_retries_a_failure_to_start_but_never_a_started_process()
    {
        var runner = new FaultInjectingRunner(new ScriptedRunner().Fallback(Reply.Fail(4)))
            .OnFirstCalls(1, Fault.SpawnFailure());
        var command = new Command("server").WithRetry(3, Backoff.Constant(TimeSpan.Zero), RetryOn.Default | RetryOn.NonZeroExit);

        await using var process = await runner.StartAsync(command).Soon();
        var result = await process.WaitAsync().Soon();

        Assert.Equal(4, result.ExitCode);
        Assert.Equal(2, runner.Calls);
    }
}
