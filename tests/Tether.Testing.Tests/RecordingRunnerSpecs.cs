namespace Tether.Testing.Tests;

public sealed class RecordingRunnerSpecs
{
    [Fact]
    public async Task Each_invocation_is_recorded_with_program_arguments_directory_environment_and_stdin()
    {
        var runner = new RecordingRunner(new ScriptedRunner().Fallback(Reply.Ok()));
        var command = new Command("deploy")
            .WithArguments("--env=prod", "--force", "--region", "eu-west-1")
            .WithWorkingDirectory("/srv/app")
            .WithEnvironmentVariable("TOKEN", "t0k3n")
            .WithoutEnvironmentVariable("DEBUG")
            .WithStdin("yes\n");

        await runner.RunAsync(command).Soon();

        var invocation = runner.Single();
        Assert.Equal("deploy", invocation.Program);
        Assert.Equal(["deploy", "--env=prod", "--force", "--region", "eu-west-1"], invocation.Argv.ToArray());
        Assert.Equal("/srv/app", invocation.WorkingDirectory);
        Assert.True(invocation.HasFlag("--force"));
        Assert.True(invocation.HasFlag("--env"));
        Assert.False(invocation.HasFlag("--forc"));
        Assert.Equal("prod", invocation.ValueOf("--env"));
        Assert.Equal("eu-west-1", invocation.ValueOf("--region"));
        Assert.Null(invocation.ValueOf("--missing"));
        Assert.True(invocation.EnvIs("TOKEN", "t0k3n"));
        Assert.False(invocation.EnvIs("TOKEN", "other"));
        Assert.True(invocation.EnvRemoves("DEBUG"));
        Assert.True(invocation.HasStdin);
        Assert.Equal("yes\n", invocation.StdinText);
        Assert.True(invocation.StartsWith("deploy", "--env=prod"));
    }

    [Fact]
    public async Task The_description_of_an_invocation_never_shows_secrets()
    {
        var runner = new RecordingRunner(new ScriptedRunner().Fallback(Reply.Ok()));

        await runner.RunAsync(new Command("login").AddSecretArgument("hunter2").WithEnvironmentVariable("PASSWORD", "swordfish")).Soon();

        var text = runner.Last.ToString();
        Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
        Assert.DoesNotContain("swordfish", text, StringComparison.Ordinal);
        Assert.Equal("hunter2", runner.Last.Arguments[0]);
    }

    [Fact]
    public async Task Calls_that_fail_are_recorded_too()
    {
        var runner = new RecordingRunner(new ScriptedRunner());

        await Assert.ThrowsAsync<UnscriptedInvocationException>(() => runner.RunAsync(new Command("missing")));

        Assert.Equal("missing", runner.Single().Program);
    }

    [Fact]
    public async Task Every_verb_is_recorded_once_per_call()
    {
        var runner = new RecordingRunner(new ScriptedRunner().Fallback(Reply.Ok("x")));

        await runner.RunAsync(new Command("a")).Soon();
        await runner.OutputBytesAsync(new Command("b")).Soon();
        await using (var process = await runner.StartAsync(new Command("c")).Soon())
        {
            await process.WaitAsync().Soon();
        }

        await runner.ProbeAsync(new Command("d")).Soon();

        Assert.Equal(["a", "b", "c", "d"], runner.Invocations.Select(i => i.Program));
    }

    [Fact]
    public async Task A_pipeline_is_recorded_as_one_invocation_per_stage()
    {
        var runner = new RecordingRunner(ProcessRunner.Default);

        var output = await runner.RunAsync(Shell.Command("printf 'b\\na\\n'") | new Command("sort")).Soon();

        Assert.Equal("a\nb", output);
        Assert.Equal(["/bin/sh", "sort"], runner.Invocations.Select(i => i.Program));
        Assert.Equal([0, 1], runner.Invocations.Select(i => i.Stage));
    }

    [Fact]
    public async Task Single_says_how_many_invocations_there_were_when_there_is_not_exactly_one()
    {
        var runner = new RecordingRunner(new ScriptedRunner().Fallback(Reply.Ok()));
        await runner.RunAsync(new Command("one")).Soon();
        await runner.RunAsync(new Command("two")).Soon();

        var error = Assert.Throws<InvalidOperationException>(() => runner.Single());

        Assert.Contains("2", error.Message, StringComparison.Ordinal);
        Assert.Contains("one", error.Message, StringComparison.Ordinal);
        Assert.Equal(["one"], runner.Of("one").Select(i => i.Program));
        runner.Clear();
        Assert.Empty(runner.Invocations);
    }

    [Fact]
    public async Task Concurrent_calls_are_all_recorded()
    {
        var runner = new RecordingRunner(new ScriptedRunner().Fallback(Reply.Ok()));

        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => runner.RunAsync(new Command($"p{i}")))).Soon();

        Assert.Equal(200, runner.Invocations.Select(i => i.Program).Distinct().Count());
    }
}
