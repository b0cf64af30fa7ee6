using System.CommandLine;
using System.Globalization;
using Tether.Journaling;

namespace Tether.Cli.Commands;

/// <summary><c>tether journal prune DIR [--max-age D] [--max-bytes N] [--max-segments N] [--json]</c>: deletes the oldest segment files.</summary>
internal sealed class JournalPruneVerb : JournalVerb
{
    private const string Usage = "DIR [--max-age DURATION] [--max-bytes SIZE] [--max-segments N] [--json]";

    private const string Notes = """
        Deletes whole segment files only, oldest first, and never the last one (the one being appended to), so
        the journal stays valid and seqs keep counting. Prune holds the journal's lock while it works, so it is
        safe beside running writers. Records are grouped in segments (64 MiB each by default): a limit is met
        to the nearest segment. torn-*.bin files are never deleted. The journal must exist: prune never creates one.

        Exit codes: 0 done (also when nothing needed deleting); 1 no journal at DIR, or a file could not be
        deleted; 2 no limit, or a bad value.

        Examples:
          tether journal prune ./journal --max-age 720h
          tether journal prune ./journal --max-bytes 1G --max-segments 20

        """;

    public JournalPruneVerb(VerbContext context)
        : base(context, "prune", "Delete a journal's oldest segment files by age, total size or count.", Usage, Notes)
    {
        var maxAge = new Option<string>("--max-age")
        {
            HelpName = "DURATION",
            Description = "Delete segments whose newest record is older than this duration, such as 24h or 168h (7 days).",
        };
        var maxBytes = new Option<string>("--max-bytes")
        {
            HelpName = "SIZE",
            Description = "Delete the oldest segments until the journal holds at most this much: bytes, or with K, M or G (1024-based), such as 500M.",
        };
        var maxSegments = new Option<string>("--max-segments")
        {
            HelpName = "N",
            Description = "Delete the oldest segments until at most N remain (N at least 1).",
        };
        Add(maxAge);
        Add(maxBytes);
        Add(maxSegments);
        var json = AddJsonOption("Print one JSON object: deleted (name, first_seq, bytes, reason), segments_kept, bytes_kept, note.");
        SetAction((parse, _) =>
        {
            var dir = DirectoryPath(parse);
            var policy = new RetentionPolicy
            {
                MaxAge = OptionValues.Duration("--max-age", parse.GetValue(maxAge), allowZero: false),
                MaxTotalBytes = JournalValues.Size("--max-bytes", parse.GetValue(maxBytes)),
                MaxSegments = (int?)JournalValues.Count("--max-segments", parse.GetValue(maxSegments), allowZero: false, max: int.MaxValue),
            };
            if (policy.MaxAge is null && policy.MaxTotalBytes is null && policy.MaxSegments is null)
            {
                throw new UsageException("journal prune: no limit given: add --max-age, --max-bytes or --max-segments, as in 'tether journal prune ./journal --max-age 168h'.");
            }

            return GuardAsync(dir, () => PruneAsync(dir, policy, parse.GetValue(json)));
        });
    }

    private async Task<int> PruneAsync(string directory, RetentionPolicy policy, bool json)
    {
        var journal = await Journal.OpenAsync(directory, new JournalOptions { CreateIfMissing = false }).ConfigureAwait(false);
        JournalPruneReport report;
        await using (journal.ConfigureAwait(false))
        {
            report = await journal.PruneAsync(policy).ConfigureAwait(false);
        }

        if (json)
        {
            WriteJson(writer =>
            {
                writer.WriteStartObject();
                writer.WriteStartArray("deleted");
                foreach (var segment in report.Deleted)
                {
                    writer.WriteStartObject();
                    writer.WriteString("name", segment.Name);
                    writer.WriteNumber("first_seq", segment.FirstSeq);
                    writer.WriteNumber("bytes", segment.Bytes);
                    writer.WriteString("reason", Reason(segment.Reason));
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteNumber("segments_kept", report.SegmentsKept);
                writer.WriteNumber("bytes_kept", report.BytesKept);
                if (report.Note is null)
                {
                    writer.WriteNull("note");
                }
                else
                {
                    writer.WriteString("note", report.Note);
                }

                writer.WriteEndObject();
            });
            return ExitCodes.Success;
        }

        var c = CultureInfo.InvariantCulture;
        foreach (var segment in report.Deleted)
        {
            WriteLine(string.Create(c, $"deleted {segment.Name} ({segment.Bytes} bytes, {Reason(segment.Reason)})"));
        }

        WriteLine(string.Create(c, $"deleted {Counted.Of(report.Deleted.Count, "segment")} ({report.Deleted.Sum(s => s.Bytes)} bytes); kept {Counted.Of(report.SegmentsKept, "segment")} ({report.BytesKept} bytes)"));
        if (report.Note is { } note)
        {
            Console.WriteError($"journal prune: stopped early: {note}");
        }

        return ExitCodes.Success;
    }

    /// <summary>The option that deleted a segment, as the user wrote it.</summary>
    private static string Reason(PruneReason reason) => reason switch
    {
        PruneReason.Age => "max-age",
        PruneReason.TotalBytes => "max-bytes",
        PruneReason.SegmentCount => "max-segments",
        _ => reason.ToString(),
    };
}
