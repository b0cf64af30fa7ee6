namespace Tether.Journaling.Tests;

public sealed class RetentionSpecs
{
    private static readonly JournalOptions SmallSegments = new() { SegmentMaxBytes = 4096 };

    [Fact]
    public async Task Retention_by_segment_count_deletes_the_oldest_whole_segments()
    {
        using var temp = new TempJournal();
        await using var journal = await temp.OpenAsync(SmallSegments);
        await journal.AppendManyAsync(200);
        var before = temp.Segments();

        var report = await journal.PruneAsync(new RetentionPolicy { MaxSegments = 2 });

        Assert.Equal(before.Take(before.Count - 2), report.Deleted.Select(d => d.Name));
        Assert.All(report.Deleted, d => Assert.Equal(PruneReason.SegmentCount, d.Reason));
        Assert.Equal(before.TakeLast(2), temp.Segments());
        Assert.Equal(2, report.SegmentsKept);
        var verify = await journal.Reader.VerifyAsync();
        Assert.True(verify.IsValid, verify.ToString());
        Assert.Equal(200ul, verify.LastSeq);
    }

    [Fact]
    public async Task Retention_by_total_bytes_deletes_oldest_segments_until_the_rest_fits()
    {
        using var temp = new TempJournal();
        await using var journal = await temp.OpenAsync(SmallSegments);
        await journal.AppendManyAsync(200);

        var report = await journal.PruneAsync(new RetentionPolicy { MaxTotalBytes = 9000 });

        Assert.NotEmpty(report.Deleted);
        Assert.All(report.Deleted, d => Assert.Equal(PruneReason.TotalBytes, d.Reason));
        Assert.True(report.BytesKept <= 9000);
        Assert.Equal(report.BytesKept, journal.Reader.ListSegments().Sum(s => s.Bytes));
    }

    [Fact]
    public async Task Retention_by_age_goes_by_the_newest_record_of_each_segment()
    {
        // Arrange: segment 1 holds records from hour 0 only; segment 2 from hours 0 and 1; segment 3 is current.
        using var temp = new TempJournal();
        var clock = VirtualClock.Create();
        await using var journal = await temp.OpenAsync(SmallSegments with { TimeProvider = clock });
        async Task FillSegmentAsync()
        {
            var count = temp.Segments().Count;
            while (temp.Segments().Count == count)
            {
                await journal.AppendAsync(Entries.Numbered(0));
            }
        }

        await FillSegmentAsync();
        clock.Advance(TimeSpan.FromHours(1));
        await FillSegmentAsync();
        clock.Advance(TimeSpan.FromHours(1));
        var segments = temp.Segments();

        // Act: keep segments with a record newer than 90 minutes.
        var report = await journal.PruneAsync(new RetentionPolicy { MaxAge = TimeSpan.FromMinutes(90) });

        // Assert
        var deleted = Assert.Single(report.Deleted);
        Assert.Equal(segments[0], deleted.Name);
        Assert.Equal(PruneReason.Age, deleted.Reason);
        Assert.Equal(segments.Skip(1), temp.Segments());
    }

    [Fact]
    public async Task The_last_segment_is_never_deleted_whatever_the_policy()
    {
        using var temp = new TempJournal();
        var clock = VirtualClock.Create();
        await using var journal = await temp.OpenAsync(SmallSegments with { TimeProvider = clock });
        await journal.AppendManyAsync(100);
        clock.Advance(TimeSpan.FromDays(365));

        var report = await journal.PruneAsync(new RetentionPolicy { MaxAge = TimeSpan.FromSeconds(1), MaxSegments = 1, MaxTotalBytes = 1 });

        Assert.Equal(1, report.SegmentsKept);
        Assert.Single(temp.Segments());
        Assert.Equal(101ul, await journal.AppendAsync(Entries.Numbered(0)));
    }

    [Fact]
    public async Task Configured_retention_runs_after_each_rotation()
    {
        using var temp = new TempJournal();
        await using var journal = await temp.OpenAsync(SmallSegments with { Retention = new RetentionPolicy { MaxSegments = 3 } });

        await journal.AppendManyAsync(400);

        Assert.InRange(temp.Segments().Count, 1, 3);
        Assert.True(journal.Counters.SegmentsDeleted > 0);
        Assert.Null(journal.LastRetentionError);
        Assert.True((await journal.Reader.VerifyAsync()).IsValid);
    }

    [Fact]
    public async Task Pruning_while_another_writer_appends_loses_no_acknowledged_record()
    {
        // Arrange
        using var temp = new TempJournal();
        await using var appender = await temp.OpenAsync(SmallSegments);
        await using var pruner = await temp.OpenAsync(SmallSegments);
        using var stop = new CancellationTokenSource();

        // Act: one writer appends while the other prunes down to two segments again and again.
        var appending = Task.Run(async () =>
        {
            var acknowledged = new List<ulong>();
            for (var i = 0; i < 600; i++)
            {
                acknowledged.Add(await appender.AppendAsync(Entries.Numbered(i)));
            }

            return acknowledged;
        });
        var pruning = Task.Run(async () =>
        {
            var deleted = 0;
            while (!appending.IsCompleted)
            {
                deleted += (await pruner.PruneAsync(new RetentionPolicy { MaxSegments = 2 })).Deleted.Count;
                await Task.Yield();
            }

            return deleted;
        });
        var acknowledged = await appending.Soon();
        var deleted = await pruning.Soon();

        // Assert: everything from the oldest remaining segment on is there, in order, once.
        Assert.True(deleted > 0);
        var records = await appender.Reader.ReadAsync().ToListAsync();
        var firstKept = records[0].Seq;
        Assert.Equal(acknowledged.Where(s => s >= firstKept), records.Select(r => r.Seq).Where(acknowledged.Contains));
        Assert.Equal(acknowledged[^1], records[^1].Seq);
        var verify = await appender.Reader.VerifyAsync();
        Assert.True(verify.IsValid, verify.ToString());
    }

    [Fact]
    public async Task A_policy_without_any_limit_is_refused()
    {
        using var temp = new TempJournal();
        await using var journal = await temp.OpenAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => journal.PruneAsync(new RetentionPolicy()));
        await Assert.ThrowsAsync<ArgumentException>(() => journal.PruneAsync());
    }
}
