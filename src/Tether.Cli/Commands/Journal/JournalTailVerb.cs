using System.CommandLine;
using Tether.Journaling;

namespace Tether.Cli.Commands;

/// <summary><c>tether journal tail DIR [-n N] [--follow] [--tolerant] [--json]</c>: prints the last records, and with --follow the new ones.</summary>
internal sealed class JournalTailVerb : JournalVerb
{
    private const int DefaultTailLines = 10;

    private const string Usage = "DIR [-n N] [--follow] [--tolerant] [--json]";

    private const string Notes = """
        Text output is one line per record: #SEQ TIME TYPE [JOB] [DATA]; --json prints the stored lines.
        With --follow, tail checks for new records every 200ms and runs until interrupted.

        Damage in the records read (a bad checksum, a broken line followed by good ones) stops tail with exit 1
        and one line naming the segment file, byte offset and seq. --tolerant skips it instead and reports
        each problem on stderr with its position, as 'show --tolerant' does, so an old damaged record does not
        stop 'tail -f'.

        Exit codes: 0 printed; 1 no journal at DIR, or damage in the records read (without --tolerant);
        2 a bad option; 130 --follow was stopped by Ctrl+C, SIGTERM or SIGHUP (the normal way to end it).

        Examples:
          tether journal tail ./journal -n 50
          tether journal tail ./journal -n 0 --follow --json | jq -c 'select(.type == "job.failed")'
          tether journal tail ./journal --follow --tolerant

        """;

    public JournalTailVerb(VerbContext context)
        : base(context, "tail", "Print the last records of a journal, and with --follow the ones appended after.", Usage, Notes)
    {
        var lines = new Option<string>("-n", "--lines")
        {
            HelpName = "N",
            Description = $"How many of the last records to print first [default: {DefaultTailLines}; 0 with --follow prints only new ones].",
        };
        var follow = new Option<bool>("--follow", "-f")
        {
            Description = "Keep running and print records as they are appended (across segment rotations) until Ctrl+C or SIGTERM.",
        };
        var tolerant = new Option<bool>("--tolerant")
        {
            Description = "Skip damaged records instead of stopping at the first; each one skipped is reported on stderr with its position.",
        };
        Add(lines);
        Add(follow);
        Add(tolerant);
        var json = AddJsonOption("Print each record as its stored JSON line, with json_version first (JSON lines).");
        SetAction((parse, _) =>
        {
            var dir = DirectoryPath(parse);
            var count = JournalValues.Count("-n", parse.GetValue(lines), allowZero: true, max: JournalReader.MaxLastCount) ?? DefaultTailLines;
            return GuardAsync(dir, () => TailAsync(dir, (int)count, parse.GetValue(follow), parse.GetValue(tolerant), parse.GetValue(json)));
        });
    }

    protected override string DamageAdvice => ", or add --tolerant to skip the damage";

    private async Task<int> TailAsync(string directory, int count, bool follow, bool tolerant, bool json)
    {
        var reader = new JournalReader(directory, new JournalReaderOptions { Mode = tolerant ? ReadMode.Tolerant : ReadMode.Strict });
        var report = new JournalReadReport();
        var last = await reader.ReadLastAsync(Math.Max(count, 1), null, report, Interruption.StopRequested).ConfigureAwait(false);
        TellProblems(report, told: 0);
        foreach (var record in last.Skip(last.Count - Math.Min(count, last.Count)))
        {
            WriteRecord(record, json);
        }

        if (!follow)
        {
            return ExitCodes.Success;
        }

        // From just after the last record seen, so nothing appended between the two reads is missed.
        var query = new JournalQuery { FromSeq = last.Count > 0 ? last[^1].Seq + 1 : null };
        try
        {
            var following = new JournalReadReport();
            var told = 0;
            await foreach (var record in reader.FollowAsync(query, following, Interruption.StopRequested).ConfigureAwait(false))
            {
                told = TellProblems(following, told);
                WriteRecord(record, json);
            }
        }
        catch (OperationCanceledException) when (Interruption.StopRequested.IsCancellationRequested)
        {
            return ExitCodes.Interrupted;
        }

        return ExitCodes.Success;
    }
}
