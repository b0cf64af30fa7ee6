namespace Tether.Tests;

public sealed class VerbSpecs
{
    [Fact]
    public async Task RunAsync_returns_stdout_with_surrounding_whitespace_trimmed()
    {
        var stdout = await ProcessRunner.Default.RunAsync(Shell.Command("echo '  hello world  '; echo"));

        Assert.Equal("hello world", stdout);
    }

    [Fact]
    public async Task RunAsync_throws_NonZeroExitException_with_the_code_the_last_stderr_line_and_the_output()
    {
        var command = Shell.Command("echo partial; echo 'first problem' >&2; echo 'it broke' >&2; exit 3");

        var error = await Assert.ThrowsAsync<NonZeroExitException>(() => ProcessRunner.Default.RunAsync(command));

        Assert.Equal(3, error.ExitCode);
        Assert.Contains("it broke", error.Message, StringComparison.Ordinal);
        Assert.Equal("partial\n", error.Result.Stdout);
        Assert.Equal(new Outcome.Exited(3), error.Result.Outcome);
    }

    [Fact]
    public async Task I_can_accept_other_exit_codes_as_success()
    {
        var command = Shell.Command("echo fine; exit 3").WithOkExitCodes(0, 3);

        var stdout = await ProcessRunner.Default.RunAsync(command);
        var result = await ProcessRunner.Default.OutputStringAsync(command);

        Assert.Equal("fine", stdout);
        Assert.True(result.IsSuccess);
    }

    [Fact]
    public async Task OutputStringAsync_reports_a_failure_as_data()
    {
        var result = await ProcessRunner.Default.OutputStringAsync(Shell.Command("echo out; echo err >&2; exit 2"));

        Assert.Equal(new Outcome.Exited(2), result.Outcome);
        Assert.Equal(2, result.ExitCode);
        Assert.False(result.IsSuccess);
        Assert.Equal("out\n", result.Stdout);
        Assert.Equal("err\n", result.Stderr);
    }

    [Fact]
    public async Task ExitCodeAsync_returns_any_exit_code_without_throwing()
    {
        Assert.Equal(7, await ProcessRunner.Default.ExitCodeAsync(Shell.Command("exit 7")));
        Assert.Equal(0, await ProcessRunner.Default.ExitCodeAsync(Shell.Command("exit 0")));
    }

    [Fact]
    public async Task ExitCodeAsync_throws_when_there_is_no_exit_code()
    {
        await Assert.ThrowsAsync<SignalledException>(() => ProcessRunner.Default.ExitCodeAsync(Shell.Command("kill -TERM $$")));
    }

    [Fact]
    public async Task ProbeAsync_answers_yes_for_0_no_for_1_and_throws_for_anything_else()
    {
        Assert.True(await ProcessRunner.Default.ProbeAsync(Shell.Command("exit 0")));
        Assert.False(await ProcessRunner.Default.ProbeAsync(Shell.Command("exit 1")));
        var error = await Assert.ThrowsAsync<NonZeroExitException>(() => ProcessRunner.Default.ProbeAsync(Shell.Command("exit 2")));
        Assert.Equal(2, error.ExitCode);
    }

    [Fact]
    public async Task OutputBytesAsync_returns_the_raw_bytes()
    {
        var result = await ProcessRunner.Default.OutputBytesAsync(Shell.Command(@"printf '\377\000\001'"));

        Assert.Equal([0xFF, 0x00, 0x01], result.Stdout);
    }

    [Fact]
    public async Task A_result_describes_the_run()
    {
        var result = await ProcessRunner.Default.OutputStringAsync(Shell.Command("exit 0"));

        Assert.Equal("/bin/sh -c 'exit 0'", result.Program);
        Assert.True(result.Pid > 0);
        Assert.Equal(result.Pid, Assert.Single(result.Stages).Pid);
        Assert.True(result.Duration >= TimeSpan.Zero);
        Assert.True(result.CpuTime >= TimeSpan.Zero);
        Assert.Contains("exited with code 0", result.ToString(), StringComparison.Ordinal);
    }
}
