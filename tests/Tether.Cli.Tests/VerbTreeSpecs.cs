using System.CommandLine;
using Tether.Cli.Tests.Infrastructure;
using CliCommand = System.CommandLine.Command;

namespace Tether.Cli.Tests;

/// <summary>Every verb is built one way: a <see cref="Verb"/> with an action, grouped by a <see cref="VerbGroup"/> that only groups.</summary>
public sealed class VerbTreeSpecs
{
    [Fact]
    public void Every_command_under_the_root_is_a_verb_or_a_group_of_verbs()
    {
        var root = Root();

        var commands = Descendants(root).ToList();

        Assert.NotEmpty(commands);
        Assert.All(commands, command => Assert.IsAssignableFrom<Verb>(command));
        Assert.All(commands.OfType<VerbGroup>(), group =>
        {
            Assert.Null(group.Action);
            Assert.NotEmpty(group.Subcommands);
        });
        Assert.All(commands.Where(c => c is not VerbGroup), verb =>
        {
            Assert.NotNull(verb.Action);
            Assert.Empty(verb.Subcommands);
        });
    }

    [Fact]
    public void The_verbs_are_the_ones_the_help_lists()
    {
        var root = Root();

        var paths = Descendants(root).Select(Path).ToList();

        Assert.Equal(
            [
                "run", "cassette", "cassette show", "cassette verify",
                "journal", "journal init", "journal append", "journal show", "journal tail", "journal verify", "journal stats", "journal prune",
                "beat", "watch",
                "rec", "rec init", "rec start", "rec stop", "rec status", "rec list", "rec show", "rec search", "rec rename",
                "rec tag", "rec untag", "rec delete", "rec copy", "rec diff", "rec stats", "rec replay", "rec export",
                "rec import", "rec doctor",
                "audit", "audit verify",
                "up", "status", "logs", "start", "stop", "restart", "scale", "reload", "down",
                "trace", "trace info", "trace events", "trace verify", "trace replay", "trace diff", "trace explain", "trace export",
                "lab", "lab run",
                "help",
            ],
            paths);
    }

    [Fact]
    public void A_json_option_is_a_flag_that_says_what_it_prints()
    {
        var root = Root();

        var json = Descendants(root).SelectMany(c => c.Options).Where(o => o.Name == "--json").ToList();

        Assert.NotEmpty(json);
        Assert.All(json, option =>
        {
            Assert.IsType<Option<bool>>(option);
            Assert.False(string.IsNullOrWhiteSpace(option.Description));
        });
    }

    [Fact]
    public void A_line_that_names_its_verb_builds_that_verb_alone_and_the_same_one()
    {
        using var interruption = new Interruption();
        var context = new VerbContext(new CapturedConsole().Console, interruption, ProcessRunner.Default);
        var full = Descendants(Root()).ToList();

        foreach (var (name, _) in TetherApp.TopLevel)
        {
            var alone = TetherApp.Build(context, name);

            // The same verb, with the same verbs and options under it, as in the whole tree.
            var verb = Assert.Single(alone.Subcommands);
            Assert.Equal(name, verb.Name);
            Assert.Equal(
                full.Where(c => Path(c) == name || Path(c).StartsWith(name + " ", StringComparison.Ordinal)).Select(c => Path(c) + ": " + string.Join(' ', c.Options.Select(o => o.Name))),
                Descendants(alone).Select(c => Path(c) + ": " + string.Join(' ', c.Options.Select(o => o.Name))));
        }
    }

    [Fact]
    public async Task A_verb_built_alone_parses_and_reports_as_in_the_whole_tree()
    {
        // Through the tool itself: a verb's usage error and its help read the same, whichever tree parsed them.
        var unknownOption = await Tool.RunAsync("run", "--no-such-option", "--", "true");
        var help = await Tool.RunAsync("journal", "--help");

        Assert.Equal(2, unknownOption.ExitCode);
        Assert.StartsWith("tether: run: '--no-such-option' is not an", unknownOption.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("append", help.Stdout, StringComparison.Ordinal);
    }

    private static RootCommand Root()
    {
        using var interruption = new Interruption();
        return TetherApp.Build(new VerbContext(new CapturedConsole().Console, interruption, ProcessRunner.Default));
    }

    private static IEnumerable<CliCommand> Descendants(CliCommand command)
    {
        foreach (var child in command.Subcommands)
        {
            yield return child;
            foreach (var grandchild in Descendants(child))
            {
                yield return grandchild;
            }
        }
    }

    private static string Path(CliCommand command) =>
        command.Parents.OfType<CliCommand>().FirstOrDefault() is { } parent and not RootCommand ? Path(parent) + " " + command.Name : command.Name;
}
