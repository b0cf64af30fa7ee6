using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;

namespace Tether.Cli;

/// <summary>
/// The <c>--help</c> action of every verb: System.CommandLine's standard help (description, arguments, options,
/// verbs) with the verb's own usage line and closing notes, because exit codes and examples are what a user needs to
/// do the job without reading code.
/// </summary>
/// <remarks>
/// System.CommandLine 3.0 keeps its help builder internal, so the standard text is captured and its usage line
/// replaced; the generated one (<c>tether run [&lt;PROGRAM&gt;...] [options]</c>) puts the program before the options,
/// which is exactly wrong for a verb that hands every word after the program to the program.
/// </remarks>
internal sealed class HelpPages(HelpAction standard, HelpPage rootPage) : SynchronousCommandLineAction
{
    private const int WidthWhenNotATerminal = 100;

    /// <summary>
    /// Makes <paramref name="root"/>'s help option (which every verb inherits) show each <see cref="Verb"/>'s
    /// <see cref="Verb.Page"/>, and <paramref name="rootPage"/> for <c>tether --help</c>.
    /// </summary>
    public static void Install(RootCommand root, HelpPage rootPage)
    {
        var option = root.Options.OfType<HelpOption>().Single();
        option.Action = new HelpPages((HelpAction)option.Action!, rootPage);
    }

    public override int Invoke(ParseResult parseResult)
    {
        var configuration = parseResult.InvocationConfiguration;
        var output = configuration.Output;
        var captured = new StringWriter();
        standard.MaxWidth = Width(output);
        configuration.Output = captured;
        try
        {
            standard.Invoke(parseResult);
        }
        finally
        {
            configuration.Output = output;
        }

        var page = parseResult.CommandResult.Command switch
        {
            Verb verb => verb.Page,
            RootCommand => rootPage,
            _ => null,
        };
        var text = captured.ToString();
        if (page?.Usage is { } usage)
        {
            text = ReplaceUsage(text, $"tether{VerbPath(parseResult.CommandResult)} {usage}");
        }

        // The wrapped columns come with trailing spaces; they only get in the way of a reader's copy and paste.
        var lines = text.ReplaceLineEndings("\n").TrimEnd().Split('\n').Select(line => line.TrimEnd());
        output.Write(string.Join(Environment.NewLine, lines) + Environment.NewLine);
        if (page?.Notes is { } notes)
        {
            output.WriteLine();
            output.Write(notes);
        }

        return ExitCodes.Success;
    }

    private static string ReplaceUsage(string help, string usage)
    {
        var lines = help.Split('\n');
        for (var i = 0; i < lines.Length - 1; i++)
        {
            if (lines[i].TrimEnd() == "Usage:")
            {
                lines[i + 1] = "  " + usage;
                break;
            }
        }

        return string.Join('\n', lines);
    }

    /// <summary>The verbs from the root to <paramref name="result"/>, each after a space (<c> journal show</c>), or
    /// empty for the root.</summary>
    public static string VerbPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? current = result; current is CommandResult command && command.Command is not RootCommand; current = command.Parent)
        {
            names.Insert(0, command.Command.Name);
        }

        return string.Concat(names.Select(name => " " + name));
    }

    private static int Width(TextWriter output)
    {
        if (ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected)
        {
            try
            {
                return Math.Max(Console.WindowWidth, 40);
            }
            catch (IOException)
            {
            }
        }

        return WidthWhenNotATerminal;
    }
}
