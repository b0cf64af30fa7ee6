using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Tether.Journaling;

namespace Tether.Cli.Commands;

/// <summary>
/// The base of the <c>tether journal</c> verbs: each takes the journal directory <c>DIR</c> first, and turns the
/// journal's errors into one line on stderr and exit 1. Every verb but <c>init</c> works on an existing journal and
/// none creates one: a mistyped path is an error, not a new empty journal.
/// </summary>
internal abstract class JournalVerb : Verb
{
    protected JournalVerb(VerbContext context, string name, string description, string usage, string notes)
        : base(context, name, description, usage, notes)
    {
        DirectoryArgument = new("DIR") { Description = "The journal directory (the one given to 'tether run --journal')." };
        Add(DirectoryArgument);
    }

    /// <summary>The <c>DIR</c> argument.</summary>
    protected Argument<string> DirectoryArgument { get; }

    /// <summary>The directory given; an empty path is a usage error.</summary>
    protected string DirectoryPath(ParseResult parse)
    {
        var text = parse.GetValue(DirectoryArgument);
        return string.IsNullOrEmpty(text)
            ? throw new UsageException($"journal {Name}: the journal directory is empty: give its path, as in 'tether journal {Name} ./journal'.")
            : text;
    }

    /// <summary>
    /// Runs the verb's work and turns the journal's errors into one line on stderr and exit 1. Usage errors pass
    /// through to <see cref="TetherApp"/> (exit 2).
    /// </summary>
    protected async Task<int> GuardAsync(string directory, Func<Task<int>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (Interruption.StopRequested.IsCancellationRequested)
        {
            return ExitCodes.Interrupted;
        }
        catch (DirectoryNotFoundException)
        {
            return Fail($"journal {Name}: '{directory}' does not exist: check the path (a journal is created by 'tether journal init DIR' or 'tether run --journal DIR -- PROGRAM').", JsonErrorCode.NotFound);
        }
        catch (JournalFormatException ex)
        {
            return Fail($"journal {Name}: '{directory}' is not a journal ({ex.Reason}): check the path.");
        }
        catch (JournalCorruptionException ex)
        {
            return Fail($"journal {Name}: the journal at '{directory}' is damaged: {ex.Problem}: run 'tether journal verify {directory}' for a full report{DamageAdvice}.", JsonErrorCode.Damaged);
        }
        catch (JournalException ex)
        {
            return Fail($"journal {Name}: {ex.Message}");
        }
        catch (IOException ex)
        {
            return Fail($"journal {Name}: cannot read '{directory}': {ex.Message}");
        }
        catch (UnauthorizedAccessException ex)
        {
            return Fail($"journal {Name}: '{directory}' is not accessible: {ex.Message}");
        }
    }

    /// <summary>Prints <paramref name="record"/>: a line for a person, or with <c>--json</c> the stored line in the envelope.</summary>
    protected void WriteRecord(JournalRecord record, bool json)
    {
        if (json)
        {
            Json.WriteStored(record.ToJson());
        }
        else
        {
            WriteLine(Describe(record));
        }
    }

    /// <summary>
    /// Tells on stderr, with its position, each problem a tolerant read has skipped beyond the first
    /// <paramref name="told"/>, as it goes (a follow runs for ever: its problems cannot wait for the end).
    /// </summary>
    /// <returns>How many problems have been told now.</returns>
    protected int TellProblems(JournalReadReport report, int told)
    {
        for (var i = told; i < report.Problems.Count; i++)
        {
            Console.WriteError($"skipped damage: {report.Problems[i]}");
        }

        return Math.Max(told, report.Problems.Count);
    }

    /// <summary>Tells on stderr what a read skipped (tolerant mode) and where it stopped short.</summary>
    protected void ReportSkipped(JournalReadReport report)
    {
        foreach (var problem in report.Problems)
        {
            Console.WriteError($"skipped damage: {problem}");
        }

        if (report.ProblemCount > report.Problems.Count)
        {
            Console.WriteError(string.Create(CultureInfo.InvariantCulture, $"skipped damage: … and {report.ProblemCount - report.Problems.Count} more problems; run 'tether journal verify' for the details."));
        }

        if (report.TornTail is { } torn)
        {
            Console.WriteError($"note: the last record is incomplete ({torn}): a writer died mid-write or is writing now; it is not shown.");
        }
    }

    /// <summary>What else the user can do about damage, after "run 'tether journal verify DIR' for a full report"; or empty.</summary>
    protected virtual string DamageAdvice => "";

    /// <summary>One line for a person: <c>#SEQ TIME TYPE [JOB] [DATA]</c>.</summary>
    protected static string Describe(JournalRecord record)
    {
        var text = $"#{record.Seq.ToString(CultureInfo.InvariantCulture)} {Timestamp(record.Timestamp)} {record.Type}";
        if (record.Job is { } job)
        {
            text += " " + job;
        }

        if (record.Data is { } data)
        {
            text += " " + data.GetRawText();
        }

        return text;
    }

    protected static void WriteTornTail(Utf8JsonWriter writer, JournalTornTail? torn)
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

    protected static void WriteNullable(Utf8JsonWriter writer, string name, ulong? value)
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

    protected static void WriteNullable(Utf8JsonWriter writer, string name, DateTimeOffset? value)
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

    protected static string Timestamp(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}
