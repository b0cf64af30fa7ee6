namespace Tether.Testing.Tests;

public sealed class ScriptedRunnerSpecs
{
    [Fact]
    public async Task A_rule_on_an_argv_prefix_answers_matching_invocations()
    {
        var runner = new ScriptedRunner().On(["git", "rev-parse"], Reply.Ok("abc123\n"));

        var result = await runner.OutputStringAsync(new Command("git").WithArguments("rev-parse", "HEAD")).Soon();

        Assert.Equal("abc123\n", result.Stdout);
        Assert.Equal(new Outcome.Exited(0), result.Outcome);
        Assert.True(result.IsSuccess);
        Assert.Equal(ContainmentMechanism.None, result.Mechanism);
    }

    [Fact]
    public async Task A_bare_program_name_matches_a_full_path_to_it_but_not_another_program()
    {
        var runner = new ScriptedRunner().On("git", Reply.Ok("yes"));

        Assert.Equal("yes", await runner.RunAsync(new Command("/usr/bin/git")).Soon());
        await Assert.ThrowsAsync<UnscriptedInvocationException>(() => runner.RunAsync(new Command("gitk")).Soon());
    }

    [Fact]
    public async Task Rules_are_tried_in_the_order_they_were_added_and_the_fallback_comes_last()
    {
        var runner = new ScriptedRunner()
            .Fallback(Reply.Ok("fallback"))
            .On(["git", "status"], Reply.Ok("specific"))
            .On("git", Reply.Ok("general"));

        Assert.Equal("specific", await runner.RunAsync(new Command("git").WithArguments("status")).Soon());
        Assert.Equal("general", await runner.RunAsync(new Command("git").WithArguments("log")).Soon());
        Assert.Equal("fallback", await runner.RunAsync(new Command("make")).Soon());
    }

    [Fact]
    public async Task A_sequence_answers_in_order_then_repeats_its_last_reply()
    {
        var runner = new ScriptedRunner().OnSequence(["poll"], Reply.Ok("1"), Reply.Ok("2"), Reply.Ok("3"));
        var poll = new Command("poll");

        var answers = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            answers.Add(await runner.RunAsync(poll).Soon());
        }

        Assert.Equal(["1", "2", "3", "3", "3"], answers);
    }

    [Fact]
    public async Task A_predicate_rule_can_build_its_reply_from_the_invocation()
    {
        var runner = new ScriptedRunner().When(i => i.HasFlag("--name"), i => Reply.Ok($"hello {i.ValueOf("--name")}"));

        Assert.Equal("hello ada", await runner.RunAsync(new Command("greet").WithArguments("--name=ada")).Soon());
        Assert.Equal("hello bob", await runner.RunAsync(new Command("greet").WithArguments("--name", "bob")).Soon());
    }

    [Fact]
    public async Task An_invocation_no_rule_answers_is_a_loud_error_that_prints_it()
    {
        var runner = new ScriptedRunner().On("git", Reply.Ok());

        var error = await Assert.ThrowsAsync<UnscriptedInvocationException>(
            () => runner.OutputStringAsync(new Command("docker").WithArguments("ps", "-a").WithWorkingDirectory("/srv")).Soon());

        Assert.Contains("docker ps -a", error.Message, StringComparison.Ordinal);
        Assert.Contains("/srv", error.Message, StringComparison.Ordinal);
        Assert.Contains("On(git)", error.Message, StringComparison.Ordinal);
        Assert.Equal("docker", error.Invocation.Program);
        Assert.IsNotAssignableFrom<TetherException>(error);
    }

    [Fact]
    public async Task An_unscripted_invocation_and_the_rules_are_printed_with_their_secrets_masked()
    {
        // Arrange
        var runner = new ScriptedRunner().On(["mysql", "-u", "root", "-p", "rule-s3cr3t-1"], Reply.Ok());
        var command = new Command("mysql").WithArguments("-u", "app", "-p", "call-s3cr3t-2", "API_KEY=call-s3cr3t-3").AddSecretArgument("call-s3cr3t-4");

        // Act
        var error = await Assert.ThrowsAsync<UnscriptedInvocationException>(() => runner.OutputStringAsync(command).Soon());

        // Assert
        Assert.DoesNotContain("s3cr3t", error.Message, StringComparison.Ordinal);
        Assert.Contains("mysql -u app -p *** API_KEY=*** ***", error.Message, StringComparison.Ordinal);
        Assert.Contains("On(mysql -u root -p ***)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failure_reply_is_data_for_the_capturing_verbs_and_an_error_for_the_checking_verbs()
    {
        var runner = new ScriptedRunner().On("make", Reply.Fail(2, "make: *** No rule to make target\n"));
        var make = new Command("make");

        var result = await runner.OutputStringAsync(make).Soon();
        Assert.Equal(new Outcome.Exited(2), result.Outcome);
        Assert.Equal("make: *** No rule to make target\n", result.Stderr);
        Assert.Equal(2, await runner.ExitCodeAsync(make).Soon());
        var error = await Assert.ThrowsAsync<NonZeroExitException>(() => runner.RunAsync(make).Soon());
        Assert.Equal(2, error.ExitCode);
        Assert.Contains("No rule to make target", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_commands_ok_exit_codes_decide_success_as_they_do_for_a_real_run()
    {
        var runner = new ScriptedRunner().On("grep", Reply.Fail(1));

        Assert.False(await runner.ProbeAsync(new Command("grep")).Soon());
        var result = await runner.OutputStringAsync(new Command("grep").WithOkExitCodes(0, 1)).Soon();
        Assert.True(result.IsSuccess);
    }

    [Fact]
    public async Task A_timed_out_reply_reports_the_commands_own_timeout()
    {
        var runner = new ScriptedRunner().On("slow", Reply.TimedOut("partial\n"));
        var slow = new Command("slow").WithTimeout(TimeSpan.FromSeconds(30));

        var result = await runner.OutputStringAsync(slow).Soon();
        var error = await Assert.ThrowsAsync<TimedOutException>(() => runner.RunAsync(slow).Soon());

        Assert.Equal(new Outcome.TimedOut(TimeoutKind.Overall, TimeSpan.FromSeconds(30)), result.Outcome);
        Assert.Equal("partial\n", result.Stdout);
        Assert.Equal(TimeSpan.FromSeconds(30), result.Timeout);
        Assert.Equal("partial\n", error.Result.Stdout);
        Assert.Contains("timed out after 30s", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_timed_out_reply_on_a_command_with_only_an_idle_timeout_reports_that_one()
    {
        var runner = new ScriptedRunner().On("quiet", Reply.TimedOut());

        var result = await runner.OutputStringAsync(new Command("quiet").WithIdleTimeout(TimeSpan.FromMinutes(2))).Soon();

        Assert.Equal(new Outcome.TimedOut(TimeoutKind.Idle, TimeSpan.FromMinutes(2)), result.Outcome);
    }

    [Fact]
    public async Task A_signalled_reply_is_reported_with_its_signal_or_as_an_unknown_one()
    {
        var runner = new ScriptedRunner()
            .On("segv", Reply.Signalled(new Signal(11)))
            .On("gone", Reply.Signalled());

        var known = await Assert.ThrowsAsync<SignalledException>(() => runner.RunAsync(new Command("segv")).Soon());
        var unknown = await Assert.ThrowsAsync<SignalledException>(() => runner.RunAsync(new Command("gone")).Soon());

        Assert.Equal(new Signal(11), known.Signal);
        Assert.Null(unknown.Signal);
        Assert.Equal(new Outcome.Signalled(null), unknown.Result.Outcome);
        Assert.Contains("unknown signal", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Started_replies_stream_their_lines_through_handlers_tees_and_events()
    {
        var handled = new List<string>();
        using var tee = new MemoryStream();
        var runner = new ScriptedRunner().On("build", Reply.Lines("compiling", "linking").WithStderr("warning: x\n"));
        var command = new Command("build").WithStdoutLineHandler(handled.Add).WithStdoutTee(tee);

        await using var process = await runner.StartAsync(command).Soon();
        var events = new List<ProcessEvent>();
        await foreach (var e in process.Events())
        {
            events.Add(e);
        }

        var result = await process.WaitAsync().Soon();
        Assert.Equal(["compiling", "linking"], handled);
        Assert.Equal("compiling\nlinking\n", System.Text.Encoding.UTF8.GetString(tee.ToArray()));
        Assert.IsType<ProcessEvent.Started>(events[0]);
        Assert.Contains(new ProcessEvent.StdoutLine("linking"), events);
        Assert.Contains(new ProcessEvent.StderrLine("warning: x"), events);
        Assert.Equal(new ProcessEvent.Exited(new Outcome.Exited(0)), events[^1]);
        Assert.Equal("compiling\nlinking\n", result.Stdout);
    }

    [Fact]
    public async Task Delays_between_lines_follow_the_runners_clock()
    {
        var clock = VirtualClock.Create();
        var runner = new ScriptedRunner(clock).On("server", Reply.Lines(["starting", "ready"], TimeSpan.FromSeconds(10)));

        await using var process = await runner.StartAsync(new Command("server")).Soon();
        await process.WaitForLineAsync(l => l == "starting", Bounds.Eventually).Soon();
        var ready = process.WaitForLineAsync(l => l == "ready", TimeSpan.FromMinutes(1));
        await Task.Delay(100);
        Assert.False(ready.IsCompleted);

        clock.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal("ready", await ready.Soon());
        Assert.Equal(new Outcome.Exited(0), (await process.WaitAsync().Soon()).Outcome);
    }

    [Fact]
    public async Task A_pending_reply_runs_until_it_is_stopped()
    {
        var runner = new ScriptedRunner().On("daemon", Reply.Pending());

        await using var process = await runner.StartAsync(new Command("daemon")).Soon();
        Assert.False(process.HasExited);
        var result = await process.StopAsync().Soon();

        Assert.Equal(new Outcome.Signalled(Signal.Terminate), result.Outcome);
    }

    [Fact]
    public async Task A_pending_reply_times_out_on_the_commands_timeout_driven_by_the_clock()
    {
        var clock = VirtualClock.Create();
        var runner = new ScriptedRunner(clock).On("hang", Reply.Pending());

        var run = runner.OutputStringAsync(new Command("hang").WithTimeout(TimeSpan.FromSeconds(5)));
        var result = await clock.AdvanceUntilAsync(run, TimeSpan.FromSeconds(1));

        Assert.Equal(new Outcome.TimedOut(TimeoutKind.Overall, TimeSpan.FromSeconds(5)), result.Outcome);
        Assert.True(clock.Elapsed() >= TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Cancelling_a_pending_reply_throws_operation_cancelled()
    {
        var runner = new ScriptedRunner().On("hang", Reply.Pending());
        using var cancellation = new CancellationTokenSource();

        var run = runner.OutputStringAsync(new Command("hang"), cancellation.Token);
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.Soon());
    }

    [Fact]
    public async Task A_cancelled_token_fails_the_call_before_any_rule_is_used()
    {
        var runner = new ScriptedRunner().OnSequence(["step"], Reply.Ok("first"), Reply.Ok("second"));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => runner.RunAsync(new Command("step"), cancelled.Token));

        Assert.Equal("first", await runner.RunAsync(new Command("step")).Soon());
    }

    [Fact]
    public async Task Signals_follow_default_dispositions_continue_is_ignored_and_user1_kills()
    {
        var runner = new ScriptedRunner().On("worker", Reply.Pending());

        await using var process = await runner.StartAsync(new Command("worker")).Soon();
        await process.SignalAsync(Signal.Continue);
        await Task.Delay(50);
        Assert.False(process.HasExited);
        await process.SignalAsync(Signal.User1);

        Assert.Equal(new Outcome.Signalled(Signal.User1), (await process.WaitAsync().Soon()).Outcome);
    }

    [Fact]
    public async Task A_suspended_reply_writes_nothing_until_it_is_resumed()
    {
        var clock = VirtualClock.Create();
        var runner = new ScriptedRunner(clock).On("ticker", Reply.Lines(["one", "two"], TimeSpan.FromSeconds(1)));

        await using var process = await runner.StartAsync(new Command("ticker")).Soon();
        await process.WaitForLineAsync(l => l == "one", Bounds.Eventually).Soon();
        await process.SuspendAsync();
        clock.Advance(TimeSpan.FromSeconds(5));
        var two = process.WaitForLineAsync(l => l == "two", TimeSpan.FromHours(1));
        await Task.Delay(100);
        Assert.False(two.IsCompleted);

        await process.ResumeAsync();

        Assert.Equal("two", await two.Soon());
    }

    [Fact]
    public async Task Interactive_stdin_can_be_written_and_closed_on_a_scripted_process()
    {
        var runner = new ScriptedRunner().On("repl", Reply.Pending());

        await using var process = await runner.StartAsync(new Command("repl").WithStdin(StandardInput.Interactive)).Soon();
        await process.WriteStdinLineAsync("print 1");
        await process.CloseStdinAsync();
        await process.CloseStdinAsync();

        Assert.False(process.HasExited);
    }

    [Fact]
    public async Task The_output_limit_applies_to_a_scripted_reply_as_to_a_real_one()
    {
        var runner = new ScriptedRunner().On("chatty", Reply.Ok(new string('x', 100)));

        var error = await Assert.ThrowsAsync<OutputTooLargeException>(
            () => runner.OutputStringAsync(new Command("chatty").WithOutputLimit(10)).Soon());
        var kept = await runner.OutputStringAsync(new Command("chatty").WithOutputLimit(10, OverflowPolicy.KeepNewest)).Soon();

        Assert.Equal("stdout", error.Stream);
        Assert.Equal(new string('x', 10), kept.Stdout);
        Assert.True(kept.StdoutTruncated);
    }

    [Fact]
    public async Task A_one_shot_stdin_is_claimed_so_a_second_use_fails_as_it_would_for_real()
    {
        var runner = new ScriptedRunner().Fallback(Reply.Ok());
        var command = new Command("consume").WithStdin(StandardInput.FromStream(new MemoryStream([1, 2, 3])));

        await runner.RunAsync(command).Soon();

        await Assert.ThrowsAsync<InvalidOperationException>(() => runner.RunAsync(command));
    }

    [Fact]
    public async Task A_bytes_reply_reaches_the_bytes_verb_unchanged()
    {
        byte[] payload = [0xff, 0x00, 0xfe];
        var runner = new ScriptedRunner().On("blob", Reply.Ok().WithStdoutBytes(payload));

        var result = await runner.OutputBytesAsync(new Command("blob")).Soon();

        Assert.Equal(payload, result.Stdout);
    }

    [Fact]
    public async Task Scripted_pids_never_name_a_real_process()
    {
        var runner = new ScriptedRunner().Fallback(Reply.Pending());

        await using var process = await runner.StartAsync(new Command("anything")).Soon();

        Assert.True(process.Pid > 1 << 22, $"pid {process.Pid} is within the kernel's pid range");
    }

    [Fact]
    public async Task A_pipeline_of_several_stages_is_refused_with_the_reason()
    {
        var runner = new ScriptedRunner().Fallback(Reply.Ok());

        var error = await Assert.ThrowsAsync<NotSupportedException>(() => runner.OutputStringAsync(new Command("a") | new Command("b")));

        Assert.Contains("2 stages", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rules_can_be_added_while_calls_run_concurrently()
    {
        var runner = new ScriptedRunner().Fallback(Reply.Ok("default"));

        var calls = Enumerable.Range(0, 64).Select(async i =>
        {
            if (i % 8 == 0)
            {
                runner.On($"tool{i}", Reply.Ok($"tool{i}"));
            }

            return await runner.RunAsync(new Command($"tool{i}"));
        });
        var answers = await Task.WhenAll(calls).Soon();

        Assert.All(answers, a => Assert.True(a == "default" || a.StartsWith("tool", StringComparison.Ordinal)));
        Assert.Equal("tool0", await runner.RunAsync(new Command("tool0")).Soon());
    }

    [Theory]
    [InlineData("ok")]
    [InlineData("fail")]
    [InlineData("ok-code")]
    [InlineData("timeout")]
    [InlineData("idle-timeout")]
    [InlineData("no-timeout")]
    [InlineData("signal")]
    [InlineData("unknown-signal")]
    [InlineData("bytes")]
    public async Task A_reply_answered_at_once_equals_the_same_reply_played_through_a_process(string kind)
    {
        // A line handler makes the runner play the reply through a RunningProcess; without one it may answer directly.
        var (reply, command) = kind switch
        {
            "ok" => (Reply.Ok("out\n").WithStderr("err\n"), new Command("x")),
            "fail" => (Reply.Fail(3, "bad\n").WithStdout("partial"), new Command("x")),
            "ok-code" => (Reply.Fail(3), new Command("x").WithOkExitCodes(0, 3)),
            "timeout" => (Reply.TimedOut("half"), new Command("x").WithTimeout(TimeSpan.FromSeconds(9)).WithStopSignal(Signal.Interrupt)),
            "idle-timeout" => (Reply.TimedOut(), new Command("x").WithIdleTimeout(TimeSpan.FromSeconds(4))),
            "no-timeout" => (Reply.TimedOut(), new Command("x")),
            "signal" => (Reply.Signalled(Signal.Kill, "killed\n"), new Command("x")),
            "unknown-signal" => (Reply.Signalled(), new Command("x")),
            _ => (Reply.Ok().WithStdoutBytes(new byte[] { 0xc3, 0x28, 0x0a }), new Command("x")),
        };
        var runner = new ScriptedRunner().Fallback(reply);

        var direct = await runner.OutputBytesAsync(command).Soon();
        var played = await runner.OutputBytesAsync(command.WithStdoutLineHandler(_ => { })).Soon();

        Assert.Equal(played.Outcome, direct.Outcome);
        Assert.Equal(played.Stdout, direct.Stdout);
        Assert.Equal(played.Stderr, direct.Stderr);
        Assert.Equal(played.IsSuccess, direct.IsSuccess);
        Assert.Equal(played.BlamedStage, direct.BlamedStage);
        Assert.Equal(played.OkExitCodes, direct.OkExitCodes);
        Assert.Equal(played.Timeout, direct.Timeout);
        Assert.Equal(played.Truncated, direct.Truncated);
        Assert.Equal(played.CpuTime, direct.CpuTime);
        Assert.Equal(played.PeakMemoryBytes, direct.PeakMemoryBytes);
        Assert.Equal(played.Mechanism, direct.Mechanism);
        Assert.Equal(played.Stages.Single().Outcome, direct.Stages.Single().Outcome);
        Assert.Equal(played.Program, direct.Program);
    }
}
