using System.CommandLine;
using System.Globalization;
using Tether.Journaling;
using CliCommand = System.CommandLine.Command;

namespace Tether.Cli.Commands;

// tether journal verify DIR [--json]; tether journal stats DIR [--json]
internal sealed partial class JournalCommand
{
    private (CliCommand, HelpPage) BuildVerify()
    {
        var directory = DirectoryArgument();
        var json = JsonOption("Print the report as one JSON object: valid, records, segments, first_seq, last_seq, problem_count, problems, torn_tail, torn_files.");
        var command = new CliCommand("verify", "Check every record of a journal (checksums, seq continuity, segment names) and print a report.")
        {
            directory, json,
        };
        command.SetAction((parse, _) =>
        {
            var dir = Directory(parse.GetValue(directory), "verify");
            return GuardAsync("verify", dir, () => VerifyAsync(dir, parse.GetValue(json)));
        });
        return (command, new("DIR [--json]", """
            The report's first line says valid or INVALID with the totals; each problem follows on its own line with
            its kind, segment file, byte offset and seq. A partly written last record (a writer died mid-write) is
            reported but is not a problem: the next writer saves it to a torn-*.bin file and cuts it off.
            Verify only reads: it never changes a file.

            Exit codes: 0 the journal is valid; 1 it has problems, or there is no journal at DIR; 2 a bad option.

            Example:
              tether journal verify ./journal || echo "journal damaged"

            """));
    }

    private async Task<int> VerifyAsync(string directory, bool json)
    {
        var report = await new JournalReader(directory).VerifyAsync(interruption.StopRequested).ConfigureAwait(false);
        if (json)
        {
            WriteLine(Json(writer =>
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
                writer.WriteEndObject();
            }));
        }
        else
        {
            WriteLine(report.ToString());
        }

        if (report.IsValid)
        {
            return ExitCodes.Success;
        }

        console.WriteError(string.Create(CultureInfo.InvariantCulture, $"journal verify: the journal at '{directory}' has {report.ProblemCount} problems (listed on stdout): 'tether journal show {directory} --tolerant' reads around them."));
        return ExitCodes.Failure;
    }

    private (CliCommand, HelpPage) BuildStats()
    {
        var directory = DirectoryArgument();
        var json = JsonOption("Print one JSON object: records, segments, bytes, first/last seq and time, records_by_type, problems, torn tail, tail repairs, torn files.");
        var command = new CliCommand("stats", "Summarise a journal: records per type, segments, size, seq and time range, damage found.")
        {
            directory, json,
        };
        command.SetAction((parse, _) =>
        {
            var dir = Directory(parse.GetValue(directory), "stats");
            return GuardAsync("stats", dir, () => StatsAsync(dir, parse.GetValue(json)));
        });
        return (command, new("DIR [--json]", """
            Reads the whole journal once; damage is counted, not fatal (use verify to see where it is).

            Exit codes: 0 printed; 1 no journal at DIR; 2 a bad option.

            Example:
              tether journal stats ./journal

            """));
    }

    private async Task<int> StatsAsync(string directory, bool json)
    {
        var stats = await new JournalReader(directory).GetStatsAsync(interruption.StopRequested).ConfigureAwait(false);
        var byType = stats.RecordsByType.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).ToList();
        if (json)
        {
            WriteLine(Json(writer =>
            {
                writer.WriteStartObject();
                writer.WriteNumber("records", stats.Records);
                writer.WriteNumber("segments", stats.Segments.Count);
                writer.WriteNumber("bytes", stats.TotalBytes);
                WriteNullable(writer, "first_seq", stats.FirstSeq);
                WriteNullable(writer, "last_seq", stats.LastSeq);
                WriteNullable(writer, "first_ts", stats.FirstTimestamp);
                WriteNullable(writer, "last_ts", stats.LastTimestamp);
                writer.WriteStartObject("records_by_type");
                foreach (var (type, count) in byType)
                {
                    writer.WriteNumber(type, count);
                }

                writer.WriteEndObject();
                writer.WriteNumber("records_of_other_types", stats.RecordsOfOtherTypes);
                writer.WriteNumber("problem_count", stats.ProblemCount);
                WriteTornTail(writer, stats.TornTail);
                writer.WriteNumber("tail_repairs", stats.TailRepairs);
                writer.WriteNumber("torn_files", stats.TornFiles.Count);
                writer.WriteEndObject();
            }));
            return ExitCodes.Success;
        }

        var c = CultureInfo.InvariantCulture;
        WriteLine(string.Create(c, $"records:   {stats.Records}"));
        WriteLine(string.Create(c, $"segments:  {stats.Segments.Count} ({stats.TotalBytes} bytes)"));
        WriteLine(stats.FirstSeq is { } first && stats.LastSeq is { } last ? string.Create(c, $"seq:       {first}..{last}") : "seq:       none");
        WriteLine(stats.FirstTimestamp is { } from && stats.LastTimestamp is { } to ? $"time:      {Timestamp(from)} .. {Timestamp(to)}" : "time:      none");
        WriteLine(string.Create(c, $"problems:  {stats.ProblemCount}{(stats.ProblemCount > 0 ? " (run 'tether journal verify' to see them)" : "")}"));
        WriteLine(stats.TornTail is { } torn ? $"torn tail: {torn}" : "torn tail: none");
        WriteLine(string.Create(c, $"repairs:   {stats.TailRepairs} torn tails repaired, {stats.TornFiles.Count} torn-*.bin files kept"));
        WriteLine("by type:");
        foreach (var (type, count) in byType)
        {
            WriteLine(string.Create(c, $"  {count,10}  {type}"));
        }

        if (stats.RecordsOfOtherTypes > 0)
        {
            WriteLine(string.Create(c, $"  {stats.RecordsOfOtherTypes,10}  (other types, beyond the first {JournalStats.MaxTypesCounted})"));
        }

        return ExitCodes.Success;
    }
}
