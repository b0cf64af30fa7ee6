using System.Globalization;
using Tether.Journaling;

namespace Tether.Cli.Commands;

/// <summary><c>tether journal stats DIR [--json]</c>: records per type, segments, size, seq and time range, damage found.</summary>
internal sealed class JournalStatsVerb : JournalVerb
{
    private const string Usage = "DIR [--json]";

    private const string Notes = """
        Reads the whole journal once; damage is counted, not fatal (use verify to see where it is).

        Exit codes: 0 printed; 1 no journal at DIR; 2 a bad option.

        Example:
          tether journal stats ./journal

        """;

    public JournalStatsVerb(VerbContext context)
        : base(context, "stats", "Summarise a journal: records per type, segments, size, seq and time range, damage found.", Usage, Notes)
    {
        var json = AddJsonOption("Print one JSON object: records, segments, bytes, first/last seq and time, records_by_type, problems, torn tail, tail repairs, torn files.");
        SetAction((parse, _) =>
        {
            var dir = DirectoryPath(parse);
            return GuardAsync(dir, () => StatsAsync(dir, parse.GetValue(json)));
        });
    }

    private async Task<int> StatsAsync(string directory, bool json)
    {
        var stats = await new JournalReader(directory).GetStatsAsync(Interruption.StopRequested).ConfigureAwait(false);
        var byType = stats.RecordsByType.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).ToList();
        if (json)
        {
            WriteJson(writer =>
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
            });
            return ExitCodes.Success;
        }

        var c = CultureInfo.InvariantCulture;
        WriteLine(string.Create(c, $"records:   {stats.Records}"));
        WriteLine(string.Create(c, $"segments:  {stats.Segments.Count} ({stats.TotalBytes} bytes)"));
        WriteLine(stats.FirstSeq is { } first && stats.LastSeq is { } last ? string.Create(c, $"seq:       {first}..{last}") : "seq:       none");
        WriteLine(stats.FirstTimestamp is { } from && stats.LastTimestamp is { } to ? $"time:      {Timestamp(from)} .. {Timestamp(to)}" : "time:      none");
        WriteLine(string.Create(c, $"problems:  {stats.ProblemCount}{(stats.ProblemCount > 0 ? " (run 'tether journal verify' to see them)" : "")}"));
        WriteLine(stats.TornTail is { } torn ? $"torn tail: {torn}" : "torn tail: none");
        WriteLine(string.Create(c, $"repairs:   {Counted.Of(stats.TailRepairs, "torn tail")} repaired, {Counted.Of(stats.TornFiles.Count, "torn-*.bin file")} kept"));
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
