using System.CommandLine;
using System.CommandLine.Invocation;
using Tether.Cli.Commands;

namespace Tether.Cli;

/// <summary>
/// The <c>tether</c> tool: parses the command line, runs the verb, and turns every error into one line on stderr and
/// an exit code (see <see cref="ExitCodes"/>). <c>Program</c> calls it with the real console; tests call it directly.
/// </summary>
internal static class TetherApp
{
    private const string RootNotes = """
        Exit codes: 0 success; 1 a failure you can fix (such as a missing directory); 2 a usage error;
        130 interrupted. 'tether run' exits with the program's own code instead (124 on timeout, 128+N when
        killed by signal N, 127 when not found); see 'tether run --help'.
        Durations are written 500ms, 2s, 1.5s, 5m, 1h or 1h30m; a timeout, grace period or interval can be
        at most 1193h (about 49.7 days, the longest a timer can wait): for no limit, leave it out.

        Examples:
          tether run --timeout 30s -- make test
          tether run --journal ./journal -- ./deploy.sh
          tether run --cassette tests/cassettes/status.json -- git status --short
          tether journal show ./journal --since 1h

        """;

    /// <summary>Runs the tool with <paramref name="args"/> and returns its exit code.</summary>
    /// <param name="args">The command line, without the program name.</param>
    /// <param name="console">Where output goes and input comes from.</param>
    /// <param name="interruption">The user's stop requests (Ctrl+C and friends).</param>
    /// <param name="runner">Runs the programs; the real one unless a test passes another.</param>
    public static async Task<int> InvokeAsync(string[] args, CliConsole console, Interruption interruption, IProcessRunner? runner = null)
    {
        var root = Build(new VerbContext(console, interruption, runner ?? ProcessRunner.Default));

        // '@file' must reach the program verbatim, not be expanded as a response file.
        var parse = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parse.Action is ParseErrorAction)
        {
            console.WriteError(DescribeParseError(parse));
            return ExitCodes.Usage;
        }

        var invocation = new InvocationConfiguration
        {
            Output = console.Out,
            Error = console.Error,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = null, // Interruption handles SIGINT/SIGTERM: the tree must be stopped, not abandoned
        };

        try
        {
            return await parse.InvokeAsync(invocation, CancellationToken.None).ConfigureAwait(false);
        }
        catch (UsageException ex)
        {
            console.WriteError(ex.Message);
            return ExitCodes.Usage;
        }
        catch (PlatformNotSupportedException ex)
        {
            console.WriteError(ex.Message);
            return ExitCodes.Failure;
        }
    }

    /// <summary>
    /// The tree of verbs: the top-level verbs and groups in the order <c>tether --help</c> lists them, each group with
    /// its own verbs, and the help pages installed.
    /// </summary>
    public static RootCommand Build(VerbContext context)
    {
        var root = new RootCommand("Run processes with their whole process tree contained: nothing outlives a run, not even when tether itself is killed.")
        {
            new RunVerb(context),
            new CassetteGroup(context),
            new JournalGroup(context),
            new BeatVerb(context),
            new WatchVerb(context),
            new RecGroup(context),
            new AuditGroup(context),
            new HelpVerb(context),
        };
        // The generated usage ('tether [command] [options]') would call the verb optional.
        HelpPages.Install(root, new HelpPage("VERB [options]   (or tether --version)", RootNotes));
        return root;
    }

    private static string DescribeParseError(ParseResult parse)
    {
        var verb = HelpPages.VerbPath(parse.CommandResult);
        if (parse.Tokens.Count == 0)
        {
            return "no verb given: run 'tether --help' to see the verbs, as in 'tether run -- make test'.";
        }

        if (parse.CommandResult.Command is RootCommand && parse.UnmatchedTokens.Count > 0)
        {
            return $"'{parse.UnmatchedTokens[0]}' is not a verb of tether: see 'tether --help' for the verbs, such as 'tether run -- make test'.";
        }

        if (parse.CommandResult.Command is { Subcommands.Count: > 0 } group)
        {
            // A verb with verbs of its own (journal) got none of them.
            var verbs = string.Join(", ", group.Subcommands.Select(c => c.Name));
            return parse.UnmatchedTokens.Count > 0
                ? $"'{parse.UnmatchedTokens[0]}' is not a verb of tether{verb}: choose one of {verbs}; see 'tether{verb} --help'."
                : $"{group.Name}: no verb given: choose one of {verbs}; see 'tether{verb} --help'.";
        }

        var message = parse.Errors[0].Message.TrimEnd();
        return $"{message} See 'tether{verb} --help'.";
    }
}
