using Tether.Journaling.Internal;

namespace Tether.Journaling.Tests;

public sealed class VerifySpecs
{
    /// <summary>A journal directory whose segment content is written by hand.</summary>
    private static async Task<TempJournal> HandMadeAsync(params (ulong Name, string Content)[] segments)
    {
        var temp = new TempJournal();
        await (await temp.OpenAsync()).DisposeAsync();
        File.Delete(temp.LastSegmentPath());
        foreach (var (name, content) in segments)
        {
            File.WriteAllText(Path.Combine(temp.Path, JournalLayout.SegmentName(name)), content);
        }

        return temp;
    }

    private static string Lines(params ulong[] seqs) => string.Concat(seqs.Select(s => FormatSpecs.WriterLine(s)));

    [Fact]
    public async Task A_healthy_journal_verifies_with_totals()
    {
        using var temp = new TempJournal();
        await using var journal = await temp.OpenAsync(new JournalOptions { SegmentMaxBytes = 4096 });
        await journal.AppendManyAsync(120);

        var report = await temp.Reader().VerifyAsync();

        Assert.True(report.IsValid, report.ToString());
        Assert.Equal(120, report.Records);
        Assert.Equal(1ul, report.FirstSeq);
        Assert.Equal(120ul, report.LastSeq);
        Assert.Equal(temp.Segments(), report.Segments.Select(s => s.Name));
        Assert.StartsWith("valid: 120 records", report.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_summary_of_one_record_in_one_segment_speaks_in_the_singular()
    {
        using var temp = new TempJournal();
        await using (var journal = await temp.OpenAsync())
        {
            await journal.AppendManyAsync(1);
        }

        var report = await temp.Reader().VerifyAsync();

        Assert.StartsWith("valid: 1 record in 1 segment, seq 1..1, 0 problems", report.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_reports_a_bad_checksum_with_its_position_and_goes_on()
    {
        using var temp = new TempJournal();
        await using var journal = await temp.OpenAsync();
        await journal.AppendManyAsync(10);
        var (segment, offset) = temp.CorruptRecord(6);

        var report = await temp.Reader().VerifyAsync();

        Assert.False(report.IsValid);
        var problem = report.Problems[0];
        Assert.Equal((JournalProblemKind.BadChecksum, segment, offset, 6ul), (problem.Kind, problem.Segment, problem.Offset, problem.Seq));
        Assert.Equal(9, report.Records);
        Assert.Contains($"BadChecksum in {segment} at offset {offset} (seq 6)", report.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_reports_a_gap_in_the_seqs()
    {
        using var temp = await HandMadeAsync((1, Lines(1, 2, 4, 5)));

        var report = await temp.Reader().VerifyAsync();

        var problem = Assert.Single(report.Problems);
        Assert.Equal(JournalProblemKind.SeqGap, problem.Kind);
        Assert.Equal(3ul, problem.Seq);
    }

    [Fact]
    public async Task Verify_reports_a_duplicate_seq()
    {
        using var temp = await HandMadeAsync((1, Lines(1, 2, 2, 3)));

        var report = await temp.Reader().VerifyAsync();

        var problem = Assert.Single(report.Problems);
        Assert.Equal(JournalProblemKind.SeqNotIncreasing, problem.Kind);
        Assert.Equal(2ul, problem.Seq);
        Assert.Equal(3, report.Records);
    }

    [Fact]
    public async Task Verify_reports_a_gap_between_segments_and_a_segment_named_after_the_wrong_seq()
    {
        using var temp = await HandMadeAsync((1, Lines(1, 2)), (3, Lines(4, 5)));

        var report = await temp.Reader().VerifyAsync();

        Assert.Contains(report.Problems, p => p.Kind == JournalProblemKind.SegmentNameMismatch && p.Segment == JournalLayout.SegmentName(3));
        Assert.Contains(report.Problems, p => p.Kind == JournalProblemKind.SeqGap && p.Seq == 3);
    }

    [Fact]
    public async Task Verify_reports_a_segment_that_ends_inside_a_line_when_it_is_not_the_last()
    {
        using var temp = await HandMadeAsync((1, Lines(1, 2) + "{\"seq\":3"), (3, Lines(3)));

        var report = await temp.Reader().VerifyAsync();

        var problem = Assert.Single(report.Problems);
        Assert.Equal(JournalProblemKind.MissingNewline, problem.Kind);
        Assert.Equal(JournalLayout.SegmentName(1), problem.Segment);
        Assert.Null(report.TornTail);
    }

    [Fact]
    public async Task Verify_reports_an_empty_segment_in_the_middle()
    {
        using var temp = await HandMadeAsync((1, Lines(1, 2)), (3, ""), (3 + 1, Lines(3)));

        var report = await temp.Reader().VerifyAsync();

        Assert.Contains(report.Problems, p => p.Kind == JournalProblemKind.EmptySegment);
    }

    [Fact]
    public async Task Verify_does_not_follow_a_segment_that_is_a_symbolic_link()
    {
        using var temp = await HandMadeAsync((1, Lines(1, 2)));
        var outside = Path.Combine(temp.Root, "outside.jsonl");
        File.WriteAllText(outside, Lines(3));
        File.CreateSymbolicLink(Path.Combine(temp.Path, JournalLayout.SegmentName(3)), outside);

        var report = await temp.Reader().VerifyAsync();

        Assert.Contains(report.Problems, p => p.Kind == JournalProblemKind.NotARegularFile);
        Assert.Equal(2, report.Records);
    }

    [Fact]
    public async Task Verify_lists_the_torn_files_writers_left()
    {
        using var temp = new TempJournal();
        await using (var journal = await temp.OpenAsync())
        {
            await journal.AppendAsync(Entries.Numbered(1));
        }

        temp.AppendRaw("{\"se");
        await (await temp.OpenAsync()).DisposeAsync();

        var report = await temp.Reader().VerifyAsync();

        Assert.True(report.IsValid);
        Assert.Equal(temp.TornFiles(), report.TornFiles);
        Assert.Single(report.TornFiles);
    }

    [Fact]
    public async Task Stats_count_records_by_type_and_summarise_segments()
    {
        using var temp = new TempJournal();
        await using var journal = await temp.OpenAsync();
        await journal.AppendManyAsync(3, "job.started");
        await journal.AppendManyAsync(2, "job.completed");
        temp.AppendRaw("{\"torn");
        await (await temp.OpenAsync()).DisposeAsync();

        var stats = await temp.Reader().GetStatsAsync();

        Assert.Equal(6, stats.Records);
        Assert.Equal(3, stats.RecordsByType["job.started"]);
        Assert.Equal(2, stats.RecordsByType["job.completed"]);
        Assert.Equal(1, stats.TailRepairs);
        Assert.Single(stats.TornFiles);
        Assert.Equal((1ul, 6ul), (stats.FirstSeq, stats.LastSeq));
        Assert.Equal(new FileInfo(temp.LastSegmentPath()).Length, stats.TotalBytes);
        Assert.Equal(0, stats.ProblemCount);
    }
}
