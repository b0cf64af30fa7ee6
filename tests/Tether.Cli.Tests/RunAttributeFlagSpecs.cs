using Tether.Cli.Tests.Infrastructure;

namespace Tether.Cli.Tests;

/// <summary>--tty, --user, --umask, --new-session, --nice and --ionice reach the program.</summary>
public sealed class RunAttributeFlagSpecs
{
    [Fact]
    public async Task With_tty_the_program_sees_a_terminal_of_80x24_when_tethers_output_is_not_one()
    {
        var result = await Tool.RunAsync("run", "--tty", "--", "/bin/sh", "-c", "test -t 1 && test -t 2 && stty size");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("24 80", result.Stdout.Trim());
    }

    [Fact]
    public async Task With_tty_and_a_size_the_terminal_has_that_size()
    {
        var result = await Tool.RunAsync("run", "--tty=120x40", "--", "/bin/sh", "-c", "stty size");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("40 120", result.Stdout.Trim());
    }

    [Fact]
    public async Task Without_tty_the_program_sees_no_terminal()
    {
        var result = await Tool.RunAsync("run", "--", "/bin/sh", "-c", "test -t 1");

        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public async Task With_umask_the_program_starts_with_that_mask()
    {
        var result = await Tool.RunAsync("run", "--umask", "077", "--", "/bin/sh", "-c", "umask");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("0077", result.Stdout.Trim());
    }

    [Fact]
    public async Task With_nice_the_program_starts_with_that_niceness()
    {
        var result = await Tool.RunAsync("run", "--nice", "5", "--", "/bin/sh", "-c", "nice");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("5", result.Stdout.Trim());
    }

    [Fact]
    public async Task With_ionice_the_program_starts_with_that_io_priority()
    {
        var result = await Tool.RunAsync("run", "--ionice", "be:7", "--", "/bin/sh", "-c", "ionice");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("best-effort: prio 7", result.Stdout.Trim());
    }

    [Fact]
    public async Task With_new_session_the_program_leads_its_own_session()
    {
        // The shell's session id is its own pid only when it leads a new session.
        var result = await Tool.RunAsync("run", "--new-session", "--", "/bin/sh", "-c", "echo $$; ps -o sid= -p $$");

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.StdoutLines.Select(line => line.Trim()).ToArray();
        Assert.Equal(2, lines.Length);
        Assert.Equal(lines[0], lines[1]);
    }

    [Fact]
    public async Task With_user_the_program_runs_as_that_user_when_tether_may_switch()
    {
        var result = await Tool.RunAsync("run", "--user", "65534:65534", "--", "/bin/sh", "-c", "id -u; id -g");

        if (Environment.IsPrivilegedProcess)
        {
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Equal(["65534", "65534"], result.StdoutLines);
        }
        else
        {
            // Only root may switch users: one line, exit 1, and nothing runs.
            Assert.Equal(1, result.ExitCode);
            Assert.Contains("65534", result.SingleErrorLine(), StringComparison.Ordinal);
            Assert.Empty(result.Stdout);
        }
    }

    [Theory]
    [InlineData("--tty=0x24", "--tty: '0x24' is not a terminal size")]
    [InlineData("--tty=wide", "--tty: 'wide' is not a terminal size")]
    [InlineData("--user=1000:staff", "--user: '1000:staff' is not a user")]
    [InlineData("--user=no-such-user-of-tether", "--user: no user is called 'no-such-user-of-tether'")]
    [InlineData("--umask=8", "--umask: '8' is not an octal mask")]
    [InlineData("--umask=1000", "--umask: '1000' is more than 777")]
    [InlineData("--nice=20", "--nice: '20' is not a whole number from -20 to 19")]
    [InlineData("--nice=high", "--nice: 'high' is not a whole number from -20 to 19")]
    [InlineData("--ionice=be:8", "--ionice: 'be:8' is not an I/O priority")]
    [InlineData("--ionice=fast", "--ionice: 'fast' is not an I/O priority")]
    public Task A_bad_value_is_one_line_and_exit_2_and_nothing_runs(string option, string message) =>
        RefusedRun.AssertUsageErrorAsync([option], message);
}
