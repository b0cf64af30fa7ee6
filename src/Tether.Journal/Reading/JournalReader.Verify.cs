using Tether.Journaling.Internal;

namespace Tether.Journaling;

// Whole-journal checks and statistics: one tolerant pass that keeps every problem.
public sealed partial class JournalReader
{
    /// <summary>
    /// Checks every checksum, seq continuity within and across segments (no gap, no duplicate), that each segment is
    /// named after its first record and that segments are in order, and reports everything found, with positions.
    /// Never throws for damage: it is all in the report.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="JournalFormatException">The directory is not a journal of this format version.</exception>
    public async Task<JournalVerifyReport> VerifyAsync(CancellationToken cancellationToken = default)
    {
        var segments = OpenSegments();
        var report = new JournalReadReport();
        var summaries = new List<JournalSegmentSummary>(segments.Count);
        var records = 0L;
        await foreach (var item in SegmentScanner.ScanAsync(Directory, segments, true, null, Options.MaxLineBytes, cancellationToken).ConfigureAwait(false))
        {
            switch (item.Kind)
            {
                case ScanKind.Record:
                    records++;
                    break;
                case ScanKind.Problem:
                    report.Add(item.Problem!);
                    break;
                case ScanKind.TornTail:
                    report.TornTail = item.TornTail;
                    break;
                case ScanKind.SegmentPruned:
                    report.AddPruned(item.Segment!);
                    break;
                case ScanKind.SegmentDone:
                    summaries.Add(item.Summary!);
                    break;
            }
        }

        return new JournalVerifyReport(Directory, summaries, report, records, JournalLayout.ListSidecars(Directory));
    }

    /// <summary>Counts records per type and summarises every segment, in one read. Damage is counted, not thrown.</summary>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="JournalFormatException">The directory is not a journal of this format version.</exception>
    public async Task<JournalStats> GetStatsAsync(CancellationToken cancellationToken = default)
    {
        var segments = OpenSegments();
        var summaries = new List<JournalSegmentSummary>(segments.Count);
        var byType = new Dictionary<string, long>(StringComparer.Ordinal);
        var otherTypes = 0L;
        var problems = 0L;
        JournalTornTail? torn = null;
        await foreach (var item in SegmentScanner.ScanAsync(Directory, segments, true, null, Options.MaxLineBytes, cancellationToken).ConfigureAwait(false))
        {
            switch (item.Kind)
            {
                case ScanKind.Record:
                    var type = item.Record!.Type;
                    if (byType.TryGetValue(type, out var count))
                    {
                        byType[type] = count + 1;
                    }
                    else if (byType.Count < JournalStats.MaxTypesCounted)
                    {
                        byType[type] = 1;
                    }
                    else
                    {
                        otherTypes++;
                    }

                    break;
                case ScanKind.Problem:
                    problems++;
                    break;
                case ScanKind.TornTail:
                    torn = item.TornTail;
                    break;
                case ScanKind.SegmentDone:
                    summaries.Add(item.Summary!);
                    break;
            }
        }

        return new JournalStats(summaries, byType, otherTypes, problems, torn, JournalLayout.ListSidecars(Directory));
    }
}
