namespace Tether.Journaling.Tests;

public sealed class ReaderSpecs
{
    private static readonly JournalOptions SmallSegments = new() { SegmentMaxBytes = 4096 };

    [Fact]
    public async Task Reading_streams_every_record_in_seq_order_across_segments()
    {
        using var temp = new TempJournal();
        await using var journal = await temp.OpenAsync(SmallSegments);
        await journal.AppendManyAsync(300);

        var records = await temp.Reader().ReadAsync().ToListAsync();

        Assert.True(temp.Segments().Count > 3);
        Assert.Equal(Enumerable.Range(1, 300).Select(i => (ulong)i), records.Select(r => r.Seq));
        Assert.Equal(Enumerable.Range(0, 300), records.Select(r => r.N()));
    }

    [Fact]
    public async Task Reading_from_a_seq_starts_at_that_record_and_skips_earlier_segments()
    {
        using var temp = new TempJournal();
        await using var journal = await temp.OpenAsync(SmallSegments);
        await journal.AppendManyAsync(300);
        temp.CorruptRecord(5); // in the first segment, which a read from 250 never opens

        var records = await temp.Reader().ReadAsync(new JournalQuery { FromSeq = 250 }).ToListAsync();

        Assert.Equal(Enumerable.Range(250, 51).Select(i => (ulong)i), records.Select(r => r.Seq));
    }

    [Fact]
    public async Task Reading_a_seq_range_stops_after_its_last_seq()
    {
        using var temp = new TempJournal();
        await using var journal = await temp.OpenAsync(SmallSegments);
        await journal.AppendManyAsync(300);

        var records = await temp.Reader().ReadAsync(new JournalQuery { FromSeq = 100, ToSeq = 120 }).ToListAsync();

        Assert.Equal(Enumerable.Range(100, 21).Select(i => (ulong)i), records.Select(r => r.Seq));
    }

    [Fact]
    public async Task The_last_records_come_oldest_first_and_only_the_segments_needed_are_read()
    {
        using var temp = new TempJournal();
        await using var journal = await temp.OpenAsync(SmallSegments);
        await journal.AppendManyAsync(300);
        temp.CorruptRecord(5); // a strict read of the whole journal would throw here

        var last = await temp.Reader().ReadLastAsync(10);

        Assert.Equal(Enumerable.Range(291, 10).Select(i => (ulong)i), last.Select(r => r.Seq));
    }

    [Fact]
    public async Task The_last_records_of_a_filter_span_segments_when_needed()
    {
        using var temp = new TempJournal();
        await using var journal = await temp.OpenAsync(SmallSegments);
        for (var i = 0; i < 300; i++)
        {
            await journal.AppendAsync(Entries.Numbered(i, i % 50 == 0 ? "spec.rare" : "spec.common"));
        }

        var last = await temp.Reader().ReadLastAsync(4, new JournalQuery { Types = ["spec.rare"] });

        Assert.Equal([100, 150, 200, 250], last.Select(r => r.N()));
    }

    [Fact]
    public async Task Filters_select_by_type_type_prefix_job_and_time_range()
    {
        // Arrange
        using var temp = new TempJournal();
        var clock = VirtualClock.Create();
        await using var journal = await temp.OpenAsync(new JournalOptions { TimeProvider = clock });
        await journal.AppendAsync(new JournalEntry("job.started", "a"));
        clock.Advance(TimeSpan.FromMinutes(1));
        await journal.AppendAsync(new JournalEntry("job.started", "b"));
        clock.Advance(TimeSpan.FromMinutes(1));
        await journal.AppendAsync(new JournalEntry("job.completed", "a"));
        await journal.AppendAsync(new JournalEntry("service.restarted"));
        var start = clock.GetUtcNow() - TimeSpan.FromMinutes(2);
        var reader = temp.Reader();

        // Act & Assert
        Assert.Equal([1ul, 2], (await reader.ReadAsync(new JournalQuery { Types = ["job.started"] }).ToListAsync()).Select(r => r.Seq));
        Assert.Equal([1ul, 2, 3], (await reader.ReadAsync(new JournalQuery { Types = ["job.*"] }).ToListAsync()).Select(r => r.Seq));
        Assert.Equal([1ul, 3], (await reader.ReadAsync(new JournalQuery { Job = "a" }).ToListAsync()).Select(r => r.Seq));
        Assert.Equal([2ul], (await reader.ReadAsync(new JournalQuery { Since = start.AddMinutes(1), Until = start.AddMinutes(2) }).ToListAsync()).Select(r => r.Seq));
        Assert.Equal([3ul, 4], (await reader.ReadAsync(new JournalQuery { Types = ["job.completed", "service.*"] }).ToListAsync()).Select(r => r.Seq));
    }

    [Fact]
    public async Task Strict_reading_throws_on_damage_in_the_middle_naming_segment_offset_and_seq()
    {
        // Arrange
        using var temp = new TempJournal();
        await using var journal = await temp.OpenAsync();
        await journal.AppendManyAsync(10);
        var (segment, offset) = temp.CorruptRecord(4);
        var seen = new List<ulong>();

        // Act
        var error = await Assert.ThrowsAsync<JournalCorruptionException>(async () =>
        {
            await foreach (var record in temp.Reader(ReadMode.Strict).ReadAsync())
            {
                seen.Add(record.Seq);
            }
        });

        // Assert
        Assert.Equal([1ul, 2, 3], seen);
        Assert.Equal(JournalProblemKind.BadChecksum, error.Problem.Kind);
        Assert.Equal(segment, error.Problem.Segment);
        Assert.Equal(offset, error.Problem.Offset);
        Assert.Equal(4ul, error.Problem.Seq);
        Assert.Contains(segment, error.Message, StringComparison.Ordinal);
        Assert.Contains($"offset {offset}", error.Message, StringComparison.Ordinal);
        Assert.Contains("seq 4", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tolerant_reading_skips_damage_and_reports_what_it_skipped()
    {
        using var temp = new TempJournal();
        await using var journal = await temp.OpenAsync();
        await journal.AppendManyAsync(10);
        var (segment, offset) = temp.CorruptRecord(4);
        var report = new JournalReadReport();

        var records = await temp.Reader(ReadMode.Tolerant).ReadAsync(report: report).ToListAsync();

        Assert.Equal([1ul, 2, 3, 5, 6, 7, 8, 9, 10], records.Select(r => r.Seq));
        Assert.False(report.IsClean);
        Assert.Equal(1, report.ProblemCount); // the damaged line; the seq it held is no second, gap problem (issue 11)
        Assert.Equal(JournalProblemKind.BadChecksum, report.Problems[0].Kind);
        Assert.Equal((segment, offset), (report.Problems[0].Segment, report.Problems[0].Offset));
        Assert.Equal(4ul, report.Problems[0].Seq);
    }

    [Fact]
    public async Task Damage_in_the_last_segment_followed_by_a_valid_record_is_not_taken_for_a_torn_tail()
    {
        using var temp = new TempJournal();
        await using (var journal = await temp.OpenAsync())
        {
            await journal.AppendManyAsync(3);
        }

        var (_, offset) = temp.CorruptRecord(2);

        // A writer must not cut it off either: the journal's end is fine.
        await using (var journal = await temp.OpenAsync())
        {
            Assert.Equal(4ul, await journal.AppendAsync(Entries.Numbered(3)));
        }

        var error = await Assert.ThrowsAsync<JournalCorruptionException>(() => temp.Reader().ReadAsync().ToListAsync());
        var verify = await temp.Reader().VerifyAsync();

        Assert.Equal((2ul, offset), (error.Problem.Seq, error.Problem.Offset));
        Assert.Empty(temp.TornFiles());
        Assert.Null(verify.TornTail);
        Assert.False(verify.IsValid);
    }

    [Fact]
    public async Task A_line_longer_than_the_readers_limit_is_damage_and_is_not_buffered_without_bound()
    {
        using var temp = new TempJournal();
        await using var journal = await temp.OpenAsync();
        await journal.AppendAsync(Entries.Numbered(1));
        await journal.AppendAsync(new JournalEntry("spec.big", null, new System.Text.Json.Nodes.JsonObject { ["text"] = new string('x', 5000) }));
        await journal.AppendAsync(Entries.Numbered(3));
        var report = new JournalReadReport();

        var records = await new JournalReader(temp.Path, new JournalReaderOptions { Mode = ReadMode.Tolerant, MaxLineBytes = 1024 })
            .ReadAsync(report: report).ToListAsync();

        Assert.Equal([1ul, 3], records.Select(r => r.Seq));
        Assert.Equal(JournalProblemKind.LineTooLong, report.Problems[0].Kind);
    }

    [Fact]
    public async Task Reading_a_directory_that_is_not_a_journal_fails_loudly()
    {
        using var temp = new TempJournal();

        await Assert.ThrowsAsync<DirectoryNotFoundException>(() => temp.Reader().ReadAsync().ToListAsync());
        Directory.CreateDirectory(temp.Path);
        var error = await Assert.ThrowsAsync<JournalFormatException>(() => temp.Reader().ReadAsync().ToListAsync());
        Assert.Contains("journal.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_record_exposes_its_exact_line_and_location()
    {
        using var temp = new TempJournal();
        await using var journal = await temp.OpenAsync();
        await journal.AppendManyAsync(2);

        var second = (await temp.Reader().ReadAsync().ToListAsync())[1];

        var lines = File.ReadAllLines(temp.LastSegmentPath());
        Assert.Equal(lines[1], second.ToJson());
        Assert.Equal(lines[0].Length + 1, second.Offset);
        Assert.Equal(temp.Segments()[0], second.Segment);
    }
}
