using System.CommandLine;
using System.Text.Json;
using Tether.Journaling;
using CliCommand = System.CommandLine.Command;

namespace Tether.Cli.Commands;

/// <summary>
/// <c>tether journal VERB DIR …</c>: appends to, reads, follows, checks, summarises and prunes a Tether journal
/// (docs/formats/journal.md). Every verb reads an existing journal and none creates one: a mistyped path is an error
/// (exit 1), not a new empty journal.
/// </summary>
internal sealed partial class JournalCommand(CliConsole console, Interruption interruption)
{
    /// <summary>The help text of <c>tether journal --help</c>, after the verbs.</summary>
    public const string HelpNotes = """
        A journal is a directory of append-only JSON-lines files, one record per line, each with a seq and a
        checksum. 'tether run --journal DIR -- PROGRAM' writes one; these verbs read and maintain it.
        None of them creates a journal: a path that holds none is an error.

        Exit codes: 0 success; 1 a failure you can fix (no journal at DIR, damage found); 2 a usage error;
        130 'tail --follow' was interrupted.

        Examples:
          tether journal show ./journal --type 'job.*' --since 1h
          tether journal tail ./journal -n 20 --follow
          tether journal verify ./journal && tether journal prune ./journal --max-age 30d
          seq=$(tether journal append ./journal --type deploy.started --job web-42 --data '{"version":"1.2.3"}')

        """;

    /// <summary>The <c>DIR</c> argument every verb takes (one instance per verb).</summary>
    private static Argument<string> DirectoryArgument() => new("DIR")
    {
        Description = "The journal directory (the one given to 'tether run --journal').",
    };

    /// <summary>The <c>--json</c> option (one instance per verb).</summary>
    private static Option<bool> JsonOption(string description) => new("--json")
    {
        Description = description,
    };

    /// <summary>Every verb with its help page, for <see cref="HelpPages"/>.</summary>
    public IReadOnlyDictionary<CliCommand, HelpPage> Pages { get; private set; } = new Dictionary<CliCommand, HelpPage>();

    /// <summary>Builds the <c>journal</c> verb and its verbs for System.CommandLine.</summary>
    public CliCommand Build()
    {
        var pages = new Dictionary<CliCommand, HelpPage>();
        var command = new CliCommand("journal", "Append to, read, follow, verify, summarise and prune a Tether journal.");
        pages[command] = new(null, HelpNotes);
        foreach (var (verb, page) in (ReadOnlySpan<(CliCommand, HelpPage)>)[BuildAppend(), BuildShow(), BuildTail(), BuildVerify(), BuildStats(), BuildPrune()])
        {
            command.Subcommands.Add(verb);
            pages[verb] = page;
        }

        Pages = pages;
        return command;
    }

    /// <summary>
    /// Runs one verb and turns the journal's errors into one line on stderr and exit 1. Usage errors pass through to
    /// <see cref="TetherApp"/> (exit 2).
    /// </summary>
    private async Task<int> GuardAsync(string verb, string directory, Func<Task<int>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (interruption.StopRequested.IsCancellationRequested)
        {
            return ExitCodes.Interrupted;
        }
        catch (DirectoryNotFoundException)
        {
            return Fail($"journal {verb}: '{directory}' does not exist: check the path (a journal is created by 'tether run --journal DIR -- PROGRAM').");
        }
        catch (JournalFormatException ex)
        {
            return Fail($"journal {verb}: '{directory}' is not a journal ({ex.Reason}): check the path.");
        }
        catch (JournalCorruptionException ex)
        {
            return Fail($"journal {verb}: the journal at '{directory}' is damaged: {ex.Problem}: run 'tether journal verify {directory}' for a full report{(verb == "show" ? ", or add --tolerant to skip the damage" : "")}.");
        }
        catch (JournalException ex)
        {
            return Fail($"journal {verb}: {ex.Message}");
        }
        catch (IOException ex)
        {
            return Fail($"journal {verb}: cannot read '{directory}': {ex.Message}");
        }
        catch (UnauthorizedAccessException ex)
        {
            return Fail($"journal {verb}: '{directory}' is not accessible: {ex.Message}");
        }
    }

    private int Fail(string message)
    {
        console.WriteError(message);
        return ExitCodes.Failure;
    }

    /// <summary>Checks the directory argument: an empty path is a usage error.</summary>
    private static string Directory(string? text, string verb) =>
        string.IsNullOrEmpty(text)
            ? throw new UsageException($"journal {verb}: the journal directory is empty: give its path, as in 'tether journal {verb} ./journal'.")
            : text;

    private void WriteLine(string line) => console.Out.WriteLine(line);

    /// <summary>One line of JSON written by <paramref name="write"/>.</summary>
    private static string Json(Action<Utf8JsonWriter> write) => JsonLine.Write(write);

    private static void WriteProblem(Utf8JsonWriter writer, JournalProblem problem)
    {
        writer.WriteStartObject();
        writer.WriteString("kind", problem.Kind.ToString());
        writer.WriteString("segment", problem.Segment);
        writer.WriteNumber("offset", problem.Offset);
        writer.WriteNumber("length", problem.Length);
        if (problem.Seq is { } seq)
        {
            writer.WriteNumber("seq", seq);
        }
        else
        {
            writer.WriteNull("seq");
        }

        writer.WriteString("detail", problem.Detail);
        writer.WriteEndObject();
    }

    private static void WriteTornTail(Utf8JsonWriter writer, JournalTornTail? torn)
    {
        if (torn is null)
        {
            writer.WriteNull("torn_tail");
            return;
        }

        writer.WriteStartObject("torn_tail");
        writer.WriteString("segment", torn.Segment);
        writer.WriteNumber("offset", torn.Offset);
        writer.WriteNumber("length", torn.Length);
        writer.WriteString("reason", torn.Reason);
        writer.WriteEndObject();
    }

    private static void WriteNullable(Utf8JsonWriter writer, string name, ulong? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static void WriteNullable(Utf8JsonWriter writer, string name, DateTimeOffset? value)
    {
        if (value is { } v)
        {
            writer.WriteString(name, Timestamp(v));
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static string Timestamp(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
