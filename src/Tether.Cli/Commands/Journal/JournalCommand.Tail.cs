using System.CommandLine;
using Tether.Journaling;
using CliCommand = System.CommandLine.Command;

namespace Tether.Cli.Commands;

// tether journal tail DIR [-n N] [--follow] [--json]
internal sealed partial class JournalCommand
{
    private const int DefaultTailLines = 10;

    private (CliCommand, HelpPage) BuildTail()
    {
        var directory = DirectoryArgument();
        var lines = new Option<string>("-n", "--lines")
        {
            HelpName = "N",
            Description = $"How many of the last records to print first [default: {DefaultTailLines}; 0 with --follow prints only new ones].",
        };
        var follow = new Option<bool>("--follow", "-f")
        {
            Description = "Keep running and print records as they are appended (across segment rotations) until Ctrl+C or SIGTERM.",
        };
        var json = JsonOption("Print each record as its stored JSON line, exactly as in the journal (JSON lines).");
        var command = new CliCommand("tail", "Print the last records of a journal, and with --follow the ones appended after.")
        {
            directory, lines, follow, json,
        };
        command.SetAction((parse, _) =>
        {
            var dir = Directory(parse.GetValue(directory), "tail");
            var count = JournalValues.Count("-n", parse.GetValue(lines), allowZero: true, max: JournalReader.MaxLastCount) ?? DefaultTailLines;
            return GuardAsync("tail", dir, () => TailAsync(dir, (int)count, parse.GetValue(follow), parse.GetValue(json)));
        });
        return (command, new("DIR [-n N] [--follow] [--json]", """
            Text output is one line per record: #SEQ TIME TYPE [JOB] [DATA]; --json prints the stored lines.
            With --follow, tail checks for new records every 200ms and runs until interrupted.

            Exit codes: 0 printed; 1 no journal at DIR, or damage in the records read;
            2 a bad option; 130 --follow was stopped by Ctrl+C, SIGTERM or SIGHUP (the normal way to end it).

            Examples:
              tether journal tail ./journal -n 50
              tether journal tail ./journal -n 0 --follow --json | jq -c 'select(.type == "job.failed")'

            """));
    }

    private async Task<int> TailAsync(string directory, int count, bool follow, bool json)
    {
        var reader = new JournalReader(directory);
        var report = new JournalReadReport();
        var last = await reader.ReadLastAsync(Math.Max(count, 1), null, report, interruption.StopRequested).ConfigureAwait(false);
        foreach (var record in last.Skip(last.Count - Math.Min(count, last.Count)))
        {
            WriteLine(json ? record.ToJson() : Describe(record));
        }

        if (!follow)
        {
            return ExitCodes.Success;
        }

        // From just after the last record seen, so nothing appended between the two reads is missed.
        var query = new JournalQuery { FromSeq = last.Count > 0 ? last[^1].Seq + 1 : null };
        try
        {
            await foreach (var record in reader.FollowAsync(query, null, interruption.StopRequested).ConfigureAwait(false))
            {
                WriteLine(json ? record.ToJson() : Describe(record));
            }
        }
        catch (OperationCanceledException) when (interruption.StopRequested.IsCancellationRequested)
        {
            return ExitCodes.Interrupted;
        }

        return ExitCodes.Success;
    }
}
