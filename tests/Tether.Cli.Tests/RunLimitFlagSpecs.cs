using Tether.Cli.Tests.Infrastructure;

namespace Tether.Cli.Tests;

/// <summary>--memory, --cpus, --pids and --ulimit limit the program and its tree.</summary>
public sealed class RunLimitFlagSpecs
{
    private static LimitSupport Support(TreeLimit limit) => Containment.Probe().Limits.Single(support => support.Limit == limit);

    [Fact]
    public async Task With_ulimit_the_program_starts_with_those_limits()
    {
        var result = await Tool.RunAsync("run", "--ulimit", "nofile=64,core=0", "--ulimit", "cpu=100", "--", "/bin/sh", "-c", "ulimit -n; ulimit -c; ulimit -t");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["64", "0", "100"], result.StdoutLines);
    }

    [Fact]
    public async Task A_later_ulimit_of_the_same_name_wins()
    {
        var result = await Tool.RunAsync("run", "--ulimit", "nofile=64", "--ulimit", "nofile=32", "--", "/bin/sh", "-c", "ulimit -n");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("32", result.Stdout.Trim());
    }

    [Fact]
    public async Task With_memory_a_tree_that_uses_more_is_killed_and_tether_says_it_ran_out_of_memory()
    {
        var result = await Tool.RunAsync("run", "--memory", "32M", "--", "python3", "-c", "b = bytearray(256 * 1024 * 1024); print(len(b))");

        if (Support(TreeLimit.Memory).Enforceable)
        {
            Assert.NotEqual(0, result.ExitCode);
            Assert.Empty(result.Stdout);
            Assert.Contains(result.StderrLines, line => line.Contains("out of memory", StringComparison.Ordinal) && line.Contains("--memory limit of 32M", StringComparison.Ordinal));
        }
        else
        {
            Assert.Equal(1, result.ExitCode);
            Assert.Contains("cannot enforce", result.SingleErrorLine(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task With_memory_a_tree_that_stays_below_runs_as_usual()
    {
        var result = await Tool.RunAsync("run", "--memory", "256M", "--", "/bin/sh", "-c", "echo fine");

        if (Support(TreeLimit.Memory).Enforceable)
        {
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Equal("fine", result.Stdout.Trim());
        }
        else
        {
            Assert.Equal(1, result.ExitCode);
        }
    }

    [Fact]
    public async Task With_pids_a_fork_beyond_the_limit_fails()
    {
        // Five background sleeps and the shell itself need six processes; the limit allows three.
        var result = await Tool.RunAsync("run", "--pids", "3", "--", "/bin/sh", "-c", "for i in 1 2 3 4 5; do sleep 5 & done; kill $(jobs -p) 2>/dev/null; echo done");

        if (Support(TreeLimit.Processes).Enforceable)
        {
            Assert.NotEqual(0, result.ExitCode);
            Assert.DoesNotContain("done", result.Stdout, StringComparison.Ordinal);
            Assert.Contains("fork", result.Stderr, StringComparison.OrdinalIgnoreCase);
        }
        else
        {
            Assert.Equal(1, result.ExitCode);
            Assert.Contains("cannot enforce", result.SingleErrorLine(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task With_cpus_the_tree_runs_throttled_to_completion()
    {
        var result = await Tool.RunAsync("run", "--cpus", "0.5", "--", "/bin/sh", "-c", "echo throttled");

        if (Support(TreeLimit.Cpu).Enforceable)
        {
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Equal("throttled", result.Stdout.Trim());
        }
        else
        {
            Assert.Equal(1, result.ExitCode);
            Assert.Contains("cannot enforce", result.SingleErrorLine(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_limit_tether_is_not_allowed_to_set_is_one_line_with_the_reason_and_exit_1()
    {
        // Above the kernel's ceiling for open files, a hard limit cannot be raised, not even by root.
        var result = await Tool.RunAsync("run", "--ulimit", "nofile=unlimited", "--", "/bin/sh", "-c", "echo ran");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("not permitted", result.SingleErrorLine(), StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
    }

    [Theory]
    [InlineData("--memory=12Q", "--memory: '12Q' is not a size")]
    [InlineData("--memory=", "Required argument missing for option: '--memory'")]
    [InlineData("--memory=512K", "--memory: '512K' is less than 1M")]
    [InlineData("--cpus=0", "--cpus: '0' is not a number of CPUs")]
    [InlineData("--cpus=two", "--cpus: 'two' is not a number of CPUs")]
    [InlineData("--pids=0", "--pids: '0' is not a whole number from 1")]
    [InlineData("--ulimit=nofile", "--ulimit: 'nofile' has no '='")]
    [InlineData("--ulimit=stack=1", "--ulimit: 'stack' is not a limit tether sets")]
    [InlineData("--ulimit=nofile=many", "--ulimit: 'nofile=many' has no number")]
    public Task A_bad_value_is_one_line_and_exit_2_and_nothing_runs(string option, string message) =>
        RefusedRun.AssertUsageErrorAsync([option], message);
}
