using Tether.Cli.Tests.Infrastructure;

namespace Tether.Cli.Tests;

/// <summary>--retry runs the program again while it fails in a way worth another try.</summary>
public sealed class RunRetryFlagSpecs
{
    /// <summary>A script that counts its runs in <paramref name="counter"/> and succeeds from run <paramref name="succeedsOn"/> on.</summary>
    private static string[] Flaky(string counter, int succeedsOn) =>
        ["/bin/sh", "-c", $"n=$(cat '{counter}' 2>/dev/null || echo 0); n=$((n+1)); echo $n > '{counter}'; echo run $n; [ $n -ge {succeedsOn} ]"];

    [Fact]
    public async Task With_retry_on_exit_a_program_that_fails_twice_then_succeeds_exits_0()
    {
        using var directory = new TempDirectory();
        var counter = directory.Child("count");

        var result = await Tool.RunAsync(["run", "--retry", "3", "--retry-on-exit", "--retry-backoff", "10ms", "--", .. Flaky(counter, 3)]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["run 1", "run 2", "run 3"], result.StdoutLines);
        Assert.Equal(2, result.StderrLines.Length);
        Assert.StartsWith("tether: run 1 of 3 exited with code 1; running it again in 10ms", result.StderrLines[0], StringComparison.Ordinal);
        Assert.StartsWith("tether: run 2 of 3 exited with code 1; running it again in 20ms", result.StderrLines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_the_runs_are_used_up_tether_exits_as_the_last_run_did()
    {
        using var directory = new TempDirectory();
        var counter = directory.Child("count");

        var result = await Tool.RunAsync(["run", "--retry", "2", "--retry-on-exit", "--retry-backoff", "0s", "--", .. Flaky(counter, 5)]);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(["run 1", "run 2"], result.StdoutLines);
    }

    [Fact]
    public async Task Without_retry_on_exit_a_non_zero_exit_is_not_run_again()
    {
        using var directory = new TempDirectory();
        var counter = directory.Child("count");

        var result = await Tool.RunAsync(["run", "--retry", "3", "--retry-backoff", "0s", "--", .. Flaky(counter, 3)]);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(["run 1"], result.StdoutLines);
        Assert.Empty(result.Stderr);
    }

    [Fact]
    public async Task A_run_that_times_out_is_run_again()
    {
        using var directory = new TempDirectory();
        var counter = directory.Child("count");

        // The first run outlasts the timeout; the second is quick.
        var result = await Tool.RunAsync("run", "--retry", "2", "--retry-backoff", "0s", "--timeout", "1s", "--",
            "/bin/sh", "-c", $"n=$(cat '{counter}' 2>/dev/null || echo 0); n=$((n+1)); echo $n > '{counter}'; [ $n -ge 2 ] || exec sleep 60");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("run 1 of 2 timed out", Assert.Single(result.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_the_first_run_reads_tethers_stdin()
    {
        using var directory = new TempDirectory();
        var counter = directory.Child("count");
        using var stdin = new MemoryStream("input\n"u8.ToArray());

        var result = await Tool.RunAsync(["run", "--retry", "2", "--retry-on-exit", "--retry-backoff", "0s", "--", "/bin/sh", "-c", $"cat; {Flaky(counter, 2)[2]}"], stdin);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["input", "run 1", "run 2"], result.StdoutLines);
    }

    [Theory]
    [InlineData(new[] { "--retry", "0" }, "--retry: '0' is not a whole number from 1 to 1000")]
    [InlineData(new[] { "--retry", "many" }, "--retry: 'many' is not a whole number")]
    [InlineData(new[] { "--retry", "2", "--retry-backoff", "soon" }, "--retry-backoff:")]
    [InlineData(new[] { "--retry-backoff", "1s" }, "--retry-backoff: it says how runs are retried, so it needs --retry N")]
    [InlineData(new[] { "--retry-on-exit" }, "--retry-on-exit: it says how runs are retried, so it needs --retry N")]
    public Task A_bad_value_is_one_line_and_exit_2_and_nothing_runs(string[] options, string message) =>
        RefusedRun.AssertUsageErrorAsync(options, message);
}
