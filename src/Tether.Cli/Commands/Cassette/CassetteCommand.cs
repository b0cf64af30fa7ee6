using System.CommandLine;
using System.Text.Json;
using Tether.Testing;
using CliCommand = System.CommandLine.Command;

namespace Tether.Cli.Commands;

/// <summary>
/// <c>tether cassette VERB FILE …</c>: lists and checks a cassette file, the record of runs that
/// <c>tether run --cassette FILE</c> writes and replays (processkit's JSON cassette format, versions 1 to 4). Neither verb
/// changes the file.
/// </summary>
internal sealed partial class CassetteCommand(CliConsole console)
{
    /// <summary>The help text of <c>tether cassette --help</c>, after the verbs.</summary>
    public const string HelpNotes = """
        A cassette is a JSON file of recorded runs: program, arguments, working directory, stdout and
        stderr as text (and as bytes when it is not text), and how each run ended. 'tether run
        --cassette FILE -- PROGRAM' records one and replays from it; these verbs read it and never
        change it. The format is processkit's JSON cassette: tether reads versions 1 to 4 and writes
        version 4, so cassettes move between Tether and processkit both ways.

        Exit codes: 0 success; 1 FILE does not exist or is not a valid cassette; 2 a usage error.

        Examples:
          tether cassette show tests/cassettes/git-status.json
          tether cassette show tests/cassettes/git-status.json --json | jq '.entries[].code'
          tether cassette verify tests/cassettes/git-status.json

        """;

    /// <summary>Every verb with its help page, for <see cref="HelpPages"/>.</summary>
    public IReadOnlyDictionary<CliCommand, HelpPage> Pages { get; private set; } = new Dictionary<CliCommand, HelpPage>();

    /// <summary>Builds the <c>cassette</c> verb and its verbs for System.CommandLine.</summary>
    public CliCommand Build()
    {
        var pages = new Dictionary<CliCommand, HelpPage>();
        var command = new CliCommand("cassette", "List and check cassette files: the recorded runs that 'tether run --cassette' replays.");
        pages[command] = new(null, HelpNotes);
        foreach (var (verb, page) in (ReadOnlySpan<(CliCommand, HelpPage)>)[BuildShow(), BuildVerify()])
        {
            command.Subcommands.Add(verb);
            pages[verb] = page;
        }

        Pages = pages;
        return command;
    }

    /// <summary>The <c>FILE</c> argument every verb takes (one instance per verb).</summary>
    private static Argument<string> FileArgument() => new("FILE")
    {
        Description = "The cassette file (the one given to 'tether run --cassette').",
    };

    /// <summary>The <c>--json</c> option (one instance per verb).</summary>
    private static Option<bool> JsonOption(string description) => new("--json")
    {
        Description = description,
    };

    /// <summary>Checks the file argument: an empty path is a usage error.</summary>
    private static string FilePath(string? text, string verb) =>
        string.IsNullOrEmpty(text)
            ? throw new UsageException($"cassette {verb}: the cassette file is empty: give its path, as in 'tether cassette {verb} ./cassette.json'.")
            : text;

    /// <summary>Loads and checks the cassette; or returns what is wrong, with the one-line error.</summary>
    private static (Cassette? Cassette, CassetteProblem? Problem, string? Error) Load(string verb, string path)
    {
        if (Directory.Exists(path))
        {
            return (null, CassetteProblem.Unreadable, $"cassette {verb}: '{path}' is a directory, not a cassette file: give the path of a cassette file.");
        }

        try
        {
            return (Cassette.Load(path), null, null);
        }
        catch (CassetteException ex)
        {
            return (null, ex.Problem, CassetteMessages.Describe(verb, path, ex));
        }
    }

    private int Fail(string message)
    {
        console.WriteError(message);
        return ExitCodes.Failure;
    }

    private void WriteLine(string line) => console.Out.WriteLine(line);

    /// <summary>One line of JSON written by <paramref name="write"/>.</summary>
    private static string Json(Action<Utf8JsonWriter> write) => JsonLine.Write(write);

    /// <summary>"1 entry", "3 entries".</summary>
    private static string Entries(int count) => count == 1 ? "1 entry" : $"{count.ToString(System.Globalization.CultureInfo.InvariantCulture)} entries";
}
