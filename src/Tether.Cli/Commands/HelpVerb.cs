using System.CommandLine;
using System.CommandLine.Invocation;
using CliCommand = System.CommandLine.Command;

namespace Tether.Cli.Commands;

/// <summary>
/// <c>tether help [VERB [VERB]]</c>: prints exactly what <c>tether VERB --help</c> prints, because "help run" is what
/// people type first.
/// </summary>
internal sealed class HelpVerb : Verb
{
    private const string Notes = """
        'tether help' is 'tether --help'; 'tether help journal show' is 'tether journal show --help'.

        Exit codes: 0 success; 2 a word that is not a verb.

        """;

    private readonly Argument<string[]> _verbs = new("VERB")
    {
        HelpName = "VERB",
        Arity = ArgumentArity.ZeroOrMore,
        Description = "The verb, and the verb of a group such as 'journal show', to describe.",
    };

    public HelpVerb(VerbContext context)
        : base(context, "help", "Show the help of tether or of one verb: 'tether help run' is 'tether run --help'.", "[VERB [VERB]]", Notes)
    {
        Add(_verbs);
        SetAction(Show);
    }

    private int Show(ParseResult parse)
    {
        var words = parse.GetValue(_verbs) ?? [];
        CliCommand current = parse.RootCommandResult.Command;
        var path = "";
        foreach (var word in words)
        {
            var next = current.Subcommands.FirstOrDefault(c => c.Name == word && c is not HelpVerb);
            if (next is null)
            {
                var verbs = string.Join(", ", current.Subcommands.Where(c => c is not HelpVerb).Select(c => c.Name));
                throw new UsageException(current.Subcommands.Count == 0
                    ? $"help: 'tether{path}' has no verbs of its own: see 'tether{path} --help'."
                    : $"help: '{word}' is not a verb of tether{path}: choose one of {verbs}.");
            }

            current = next;
            path += " " + word;
        }

        var help = parse.RootCommandResult.Command.Parse([.. words, "--help"]);
        return help.Invoke(new InvocationConfiguration { Output = Console.Out, Error = Console.Error });
    }
}
