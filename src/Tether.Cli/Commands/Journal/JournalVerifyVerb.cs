using System.Globalization;
using System.Text.Json;
using Tether.Journaling;

namespace Tether.Cli.Commands;

/// <summary><c>tether journal verify DIR [--json]</c>: checks every record and prints a report.</summary>
internal sealed class JournalVerifyVerb : JournalVerb
{
    private const string Usage = "DIR [--json]";

    private const string Notes = """
        The report's first line says valid or INVALID with the totals; each problem follows on its own line with
        its kind, segment file, byte offset and seq. A partly written last record (a writer died mid-write) is
        reported but is not a problem: the next writer saves it to a torn-*.bin file and cuts it off.
        Verify only reads: it never changes a file.

        Exit codes: 0 the journal is valid; 1 it has problems, or there is no journal at DIR; 2 a bad option.

        Example:
          tether journal verify ./journal || echo "journal damaged"

        """;

    public JournalVerifyVerb(VerbContext context)
        : base(context, "verify", "Check every record of a journal (checksums, seq continuity, segment names) and print a report.", Usage, Notes)
    {
        var json = AddJsonOption("Print the report as one JSON object: valid, records, segments, first_seq, last_seq, problem_count, problems, torn_tail, torn_files, error (null, or code \"damaged\" and message).");
        SetAction((parse, _) =>
        {
            var dir = DirectoryPath(parse);
            return GuardAsync(dir, () => VerifyAsync(dir, parse.GetValue(json)));
        });
    }

    private async Task<int> VerifyAsync(string directory, bool json)
    {
        var report = await new JournalReader(directory).VerifyAsync(Interruption.StopRequested).ConfigureAwait(false);
        var failure = report.IsValid
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"journal verify: the journal at '{directory}' has {Counted.Of(report.ProblemCount, "problem")} (listed on stdout): 'tether journal show {directory} --tolerant' reads around them.");
        if (json)
        {
            WriteJson(writer =>
            {
                writer.WriteStartObject();
                writer.WriteString("directory", report.Directory);
                writer.WriteBoolean("valid", report.IsValid);
                writer.WriteNumber("records", report.Records);
                writer.WriteNumber("segments", report.Segments.Count);
                WriteNullable(writer, "first_seq", report.FirstSeq);
                WriteNullable(writer, "last_seq", report.LastSeq);
                writer.WriteNumber("problem_count", report.ProblemCount);
                writer.WriteStartArray("problems");
                foreach (var problem in report.Problems)
                {
                    WriteProblem(writer, problem);
                }

                writer.WriteEndArray();
                WriteTornTail(writer, report.TornTail);
                writer.WriteStartArray("torn_files");
                foreach (var file in report.TornFiles)
                {
                    writer.WriteStringValue(file);
                }

                writer.WriteEndArray();
                if (failure is null)
                {
                    writer.WriteNull("error");
                }
                else
                {
                    JsonLine.WriteError(writer, JsonErrorCode.Damaged, failure);
                }

                writer.WriteEndObject();
            });
        }
        else
        {
            WriteLine(report.ToString());
        }

        return failure is null ? ExitCodes.Success : Fail(failure);
    }

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
}
