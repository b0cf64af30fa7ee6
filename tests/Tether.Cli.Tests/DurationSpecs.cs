using Tether.Cli.Tests.Infrastructure;

namespace Tether.Cli.Tests;

/// <summary>
/// Every duration a user can write is either used or refused with one line and exit 2: a timeout, grace or interval
/// longer than a timer can wait (1193h, about 49.7 days) is a usage error, not a crash inside a timer.
/// </summary>
public sealed class DurationSpecs
{
    [Theory]
    [InlineData("run", "--timeout", "1200h", "give a shorter one, or leave the option out for no timeout")]
    [InlineData("run", "--timeout", "1194h", "leave the option out for no timeout")]
    [InlineData("run", "--idle-timeout", "1200h", "leave the option out for no idle timeout")]
    [InlineData("run", "--grace", "1200h", "give a shorter one, such as 30s")]
    [InlineData("run", "--grace", "50d", "give a shorter one")]
    [InlineData("beat", "--every", "1200h", "give a shorter interval")]
    [InlineData("watch", "--recovery-timeout", "1200h", "give a shorter one")]
    public async Task A_duration_longer_than_a_timer_can_wait_is_a_usage_error(string verb, string option, string value, string advice)
    {
        string[] args = verb switch
        {
            "run" => ["run", option, value, "--", "/bin/true"],
            "beat" => ["beat", "--socket", "/nonexistent/watch.sock", option, value],
            _ => ["watch", "--socket", "/nonexistent/watch.sock", "--recovery-exec", "/bin/true {pid}", option, value],
        };

        var result = await Tool.RunAsync(args);

        Assert.True(result.ExitCode == 2, result.ToString());
        var line = result.SingleErrorLine();
        Assert.Contains($"{option}: '{value}' is longer than tether can wait on a timer (at most 1193h, about 49.7 days): ", line, StringComparison.Ordinal);
        Assert.Contains(advice, line, StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public async Task A_duration_too_long_to_represent_is_named_as_such_not_as_a_malformed_one()
    {
        var result = await Tool.RunAsync("run", "--timeout", "99999999999999d", "--", "/bin/true");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal("tether: --timeout: '99999999999999d' is too long a duration to represent: give a shorter one, such as 30d.", result.SingleErrorLine());
    }

    [Fact]
    public async Task The_longest_timeouts_and_grace_a_timer_can_wait_run_the_program()
    {
        var result = await Tool.RunAsync("run", "--timeout", "1193h", "--idle-timeout", "1193h", "--grace", "1193h", "--", "/bin/true");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(result.Stderr);
    }

    [Fact]
    public async Task A_stall_threshold_is_compared_not_timed_so_a_long_one_is_accepted()
    {
        // The threshold is never armed on a timer; only --recovery-timeout is, and the socket's directory is missing, so
        // the run ends with exit 1 for the socket, after the options were all accepted.
        var result = await Tool.RunAsync("watch", "--socket", "/nonexistent/dir/watch.sock", "--threshold", "100000d");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.DoesNotContain("--threshold", result.Stderr, StringComparison.Ordinal);
    }
}
