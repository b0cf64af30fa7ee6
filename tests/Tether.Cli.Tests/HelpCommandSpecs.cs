using Tether.Cli.Tests.Infrastructure;

namespace Tether.Cli.Tests;

/// <summary>
/// <c>tether help [VERB [VERB]]</c> prints exactly what <c>tether VERB --help</c> prints, and every usage line tells a
/// required word from an optional one.
/// </summary>
public sealed class HelpCommandSpecs
{
    [Theory]
    [InlineData("")]
    [InlineData("run")]
    [InlineData("watch")]
    [InlineData("journal")]
    [InlineData("journal show")]
    [InlineData("cassette verify")]
    public async Task Help_VERB_prints_what_VERB_help_prints(string words)
    {
        var verbs = words.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var help = await Tool.RunAsync(["help", .. verbs]);
        var option = await Tool.RunAsync([.. verbs, "--help"]);

        Assert.True(help.ExitCode == 0, help.ToString());
        Assert.Equal(option.Stdout, help.Stdout);
        Assert.Empty(help.Stderr);
    }

    [Theory]
    [InlineData(new[] { "nosuchverb" }, "tether: help: 'nosuchverb' is not a verb of tether: choose one of run, cassette, journal, beat, watch, rec, audit, up, status, logs, start, stop, restart, scale, reload, down, trace, lab.")]
    [InlineData(new[] { "journal", "nope" }, "tether: help: 'nope' is not a verb of tether journal: choose one of ")]
    [InlineData(new[] { "run", "extra" }, "tether: help: 'tether run' has no verbs of its own: see 'tether run --help'.")]
    public async Task Help_of_a_word_that_is_not_a_verb_is_a_usage_error_naming_the_verbs(string[] verbs, string expected)
    {
        var result = await Tool.RunAsync(["help", .. verbs]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.StartsWith(expected, result.SingleErrorLine(), StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public async Task The_root_lists_help_as_a_verb()
    {
        var result = await Tool.RunAsync("--help");

        Assert.Contains("  help ", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("tether VERB [options]", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("[command]", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("at most 1193h (about 49.7 days, the longest a timer can wait)", result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cassette")]
    [InlineData("journal")]
    [InlineData("audit")]
    [InlineData("rec")]
    [InlineData("trace")]
    [InlineData("lab")]
    public async Task A_group_of_verbs_says_its_verb_is_required(string group)
    {
        var result = await Tool.RunAsync(group, "--help");

        Assert.Contains($"tether {group} VERB [options]", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("[command]", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_help_shows_the_threshold_as_optional_and_how_to_stop_a_background_watcher()
    {
        var result = await Tool.RunAsync("watch", "--help");

        Assert.Contains("tether watch (--socket PATH | --udp ADDR:PORT) [--threshold DURATION]", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("inherits the shell's \"ignore SIGINT\" for background jobs", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("stop it with SIGTERM ('kill PID')", result.Stdout, StringComparison.Ordinal);
    }
}
