using System.CommandLine;
using System.Globalization;
using Tether.Journaling;

namespace Tether.Cli.Commands;

/// <summary><c>tether journal show DIR [--type T] [--job ID] [--since TIME] [--until TIME] [--tolerant] [--json]</c>: prints records, oldest first.</summary>
internal sealed class JournalShowVerb : JournalVerb
{
    private const string Usage = "DIR [--type TYPE] [--job ID] [--since TIME] [--until TIME] [--tolerant] [--json]";

    private const string Notes = """
        Text output is one line per record: #SEQ TIME TYPE [JOB] [DATA]. With --json each line is the record
        as stored (seq, ts, type, job, data, crc) with json_version put first, ready for jq.

        Damage in the middle of the journal (a bad checksum, a broken line followed by good ones) stops the
        read with exit 1 and one line naming the segment file, byte offset and seq; the records before it
        have been printed. --tolerant skips the damage and reports it on stderr. A partly written last record
        (a writer died mid-write) is not damage: it is reported on stderr and the read ends there.

        Exit codes: 0 read to the end; 1 no journal at DIR, or damage (without --tolerant); 2 a bad option.

        Examples:
          tether journal show ./journal --job build-42
          tether journal show ./journal --type 'job.*' --since 1h --json | jq .data
          tether journal show ./journal --since 2025-11-22T00:00:00Z --until 2025-11-23T00:00:00Z

        """;

    public JournalShowVerb(VerbContext context)
        : base(context, "show", "Print the records of a journal, oldest first, optionally filtered.", Usage, Notes)
    {
        var types = new Option<string[]>("--type")
        {
            HelpName = "TYPE",
            Description = "Only records of this type (repeatable); 'job.*' matches every type starting with 'job.'.",
            AllowMultipleArgumentsPerToken = false,
        };
        var job = new Option<string>("--job") { HelpName = "ID", Description = "Only records of this job." };
        var since = new Option<string>("--since")
        {
            HelpName = "TIME",
            Description = "Only records written at or after TIME: an RFC 3339 time such as 2025-11-22T10:00:00Z, or a duration ago such as 10m or 2h.",
        };
        var until = new Option<string>("--until")
        {
            HelpName = "TIME",
            Description = "Only records written before TIME (same forms as --since).",
        };
        var tolerant = new Option<bool>("--tolerant")
        {
            Description = "Skip damaged records instead of stopping at the first; what was skipped is reported on stderr.",
        };
        Add(types);
        Add(job);
        Add(since);
        Add(until);
        Add(tolerant);
        var json = AddJsonOption("Print each record as its stored JSON line, with json_version first (JSON lines).");
        SetAction((parse, _) =>
        {
            var dir = DirectoryPath(parse);
            var now = TimeProvider.System.GetUtcNow();
            var query = new JournalQuery
            {
                Types = Types(parse.GetValue(types)),
                Job = parse.GetValue(job),
                Since = JournalValues.Time("--since", parse.GetValue(since), now),
                Until = JournalValues.Time("--until", parse.GetValue(until), now),
            };
            return GuardAsync(dir, () => ShowAsync(dir, query, parse.GetValue(tolerant), parse.GetValue(json)));
        });
    }

    protected override string DamageAdvice => ", or add --tolerant to skip the damage";

    private static List<string>? Types(string[]? types)
    {
        if (types is null || types.Length == 0)
        {
            return null;
        }

        foreach (var type in types)
        {
            var name = type.EndsWith(".*", StringComparison.Ordinal) ? type[..^2] : type;
            if (type != "*" && !JournalEntry.IsValidType(name))
            {
                throw new UsageException($"--type: '{type}' is not a record type: write dotted lower-case words such as job.started, or a prefix such as 'job.*'.");
            }
        }

        return [.. types];
    }

    private async Task<int> ShowAsync(string directory, JournalQuery query, bool tolerant, bool json)
    {
        var reader = new JournalReader(directory, new JournalReaderOptions { Mode = tolerant ? ReadMode.Tolerant : ReadMode.Strict });
        var report = new JournalReadReport();
        await foreach (var record in reader.ReadAsync(query, report, Interruption.StopRequested).ConfigureAwait(false))
        {
            WriteRecord(record, json);
        }

        ReportSkipped(report);
        return ExitCodes.Success;
    }
}
