using Tether.Cli.Tests.Infrastructure;

namespace Tether.Cli.Tests;

/// <summary>tether run exits with the child's code, or with the conventional code for what happened to it.</summary>
public sealed class ExitCodeSpecs
{
    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(42)]
    public async Task I_get_the_exit_code_of_the_program(int code)
    {
        var result = await Tool.RunAsync(Dummy.Run("exit", code.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        Assert.True(code == result.ExitCode, result.ToString());
        Assert.Empty(result.Stderr);
    }

    [Fact]
    public async Task A_run_that_outlives_its_timeout_exits_124_with_one_line_saying_so()
    {
        var result = await Tool.RunAsync(Dummy.Run(["--timeout", "1s"], "sleep", "600000"));

        Assert.True(result.ExitCode == 124, result.ToString());
        Assert.Contains("timed out after 1s", result.SingleErrorLine(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_that_stays_silent_past_its_idle_timeout_exits_124()
    {
        var result = await Tool.RunAsync(Dummy.Run(["--idle-timeout", "1s"], "sleep", "600000"));

        Assert.True(result.ExitCode == 124, result.ToString());
        Assert.Contains("without output", result.SingleErrorLine(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("KILL", 137)]
    [InlineData("TERM", 143)]
    public async Task A_program_killed_by_signal_N_makes_tether_exit_128_plus_N(string signal, int expected)
    {
        var result = await Tool.RunAsync("run", "--", "/bin/sh", "-c", $"kill -{signal} $$");

        Assert.True(result.ExitCode == expected, result.ToString());
    }

    [Fact]
    public async Task A_program_that_does_not_exist_exits_127_with_one_line_saying_so()
    {
        var result = await Tool.RunAsync("run", "--", "tether-spec-no-such-program");

        Assert.True(result.ExitCode == 127, result.ToString());
        var line = result.SingleErrorLine();
        Assert.Contains("'tether-spec-no-such-program' was not found", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_program_that_is_not_executable_exits_126_with_one_line_saying_so()
    {
        var file = Path.GetTempFileName();
        try
        {
            var result = await Tool.RunAsync("run", "--", file);

            Assert.True(result.ExitCode == 126, result.ToString());
            Assert.Contains("not executable", result.SingleErrorLine(), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
