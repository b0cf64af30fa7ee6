using Tether.Cli.Commands;
using Tether.Cli.Tests.Infrastructure;

namespace Tether.Cli.Tests;

/// <summary>--help says enough to do the job without reading code; --version says which tether this is.</summary>
public sealed class HelpSpecs
{
    [Fact]
    public async Task Run_help_describes_every_option_the_exit_codes_and_an_example()
    {
        var result = await Tool.RunAsync("run", "--help");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var interruption = new Interruption();
        var run = new RunVerb(new VerbContext(new CapturedConsole().Console, interruption, ProcessRunner.Default));
        foreach (var option in run.Options)
        {
            Assert.Contains(option.Name, result.Stdout, StringComparison.Ordinal);
        }

        Assert.Contains("tether run [options] -- PROGRAM [ARGS...]", result.Stdout, StringComparison.Ordinal);
        foreach (var code in new[] { "124", "126", "127", "128+N", "130" })
        {
            Assert.Contains(code, result.Stdout, StringComparison.Ordinal);
        }

        Assert.Contains("Examples:", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("tether run --timeout", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("stdin", result.Stdout, StringComparison.Ordinal);
        Assert.Empty(result.Stderr);
    }

    [Fact]
    public async Task Tether_help_lists_the_verbs_and_the_exit_codes()
    {
        var result = await Tool.RunAsync("--help");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("run", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("Exit codes", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("tether run --timeout 30s -- make test", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tether_version_prints_one_line()
    {
        var result = await Tool.RunAsync("--version");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"^\d+\.\d+\.\d+", Assert.Single(result.StdoutLines));
    }
}
