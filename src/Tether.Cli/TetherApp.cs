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
        var context = new VerbContext(console, interruption, runner ?? ProcessRunner.Default);
        var root = Build(context, NamedVerb(args));

        // '@file' must reach the program verbatim, not be expanded as a response file.
        var parse = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        context.Json.Requested = JsonRequested(parse);
        if (parse.Action is ParseErrorAction)
        {
            return UsageError(context, DescribeParseError(parse));
        }

        var invocation = new InvocationConfiguration
        {
            Output = console.Out,
            Error = console.Error,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = null, // Interruption handles SIGINT/SIGTERM: the tree must be stopped, not abandoned
        };

        int exitCode;
        try
        {
            exitCode = await parse.InvokeAsync(invocation, CancellationToken.None).ConfigureAwait(false);
        }
        catch (UsageException ex)
        {
            return UsageError(context, ex.Message);
        }
        catch (PlatformNotSupportedException ex)
        {
            console.WriteError(ex.Message);
            exitCode = ExitCodes.Failure;
        }

        // With --json a failure is always a document on stdout: a verb that failed without writing one (it reported
        // the failure on stderr only) gets the error object here, with the line it wrote on stderr.
        if (context.Json.Requested && !context.Json.Written && exitCode is not (ExitCodes.Success or ExitCodes.Interrupted))
        {
            context.Json.WriteError(JsonErrorCode.Failed, console.LastError ?? $"failed with exit code {exitCode.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        }

        return exitCode;
    }

    /// <summary>
    /// The top-level verb the line starts with, when that is all the parse needs; null for anything else (an option,
    /// a misspelled verb, which is reported against the whole list, or <c>help</c>, which reads the whole tree).
    /// </summary>
    private static string? NamedVerb(string[] args) =>
        args.Length > 0 && args[0] != "help" && Array.Exists(TopLevel, verb => verb.Name == args[0]) ? args[0] : null;

    private static int UsageError(VerbContext context, string message)
    {
        context.Console.WriteError(message);
        context.Json.WriteError(JsonErrorCode.Usage, message);
        return ExitCodes.Usage;
    }

    /// <summary>Whether the verb parsed has a <c>--json</c> option and it was given (even on a command line that is otherwise wrong).</summary>
    private static bool JsonRequested(ParseResult parse)
    {
        if (parse.CommandResult.Command is not Verb { JsonOption: { } option } || parse.GetResult(option) is not { Implicit: false } result)
        {
            return false;
        }

        return result.Tokens.Count == 0 || !string.Equals(result.Tokens[0].Value, "false", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// The top-level verbs and groups in the order <c>tether --help</c> lists them, each by the name it is called with.
    /// </summary>
    internal static readonly (string Name, Func<VerbContext, System.CommandLine.Command> Create)[] TopLevel =
    [
        ("run", context => new RunVerb(context)),
        ("cassette", context => new CassetteGroup(context)),
        ("journal", context => new JournalGroup(context)),
        ("beat", context => new BeatVerb(context)),
        ("watch", context => new WatchVerb(context)),
        ("rec", context => new RecGroup(context)),
        ("audit", context => new AuditGroup(context)),
        ("up", context => new UpVerb(context)),
        ("status", context => new StatusVerb(context)),
        ("logs", context => new LogsVerb(context)),
        ("start", ServiceCommandVerb.Start),
        ("stop", ServiceCommandVerb.Stop),
        ("restart", ServiceCommandVerb.Restart),
        ("scale", context => new ScaleVerb(context)),
        ("reload", context => new ReloadVerb(context)),
        ("down", context => new DownVerb(context)),
        ("trace", context => new TraceGroup(context)),
        ("lab", context => new LabGroup(context)),
        ("help", context => new HelpVerb(context)),
    ];

    /// <summary>
    /// The tree of verbs: the top-level verbs and groups in the order <c>tether --help</c> lists them, each group with
    /// its own verbs, and the help pages installed. With <paramref name="verb"/>, only that top-level verb is built:
    /// the line names it, and building the other eighteen (their options, help text and parsers) was a good part of
    /// the start-up of every call, shell hooks and one-shot runs included.
    /// </summary>
    public static RootCommand Build(VerbContext context, string? verb = null)
    {
        var root = new RootCommand("Run processes with their whole process tree contained: nothing outlives a run, not even when tether itself is killed.");
        foreach (var (name, create) in TopLevel)
        {
            if (verb is null || name == verb)
            {
                root.Add(create(context));
            }
        }

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
