namespace Tether.Journaling.Tests;

public sealed class FollowSpecs
{
    private static JournalReader FastReader(TempJournal temp, ReadMode mode = ReadMode.Strict) =>
        new(temp.Path, new JournalReaderOptions { FollowPollInterval = TimeSpan.FromMilliseconds(10), Mode = mode });

    /// <summary>The system clock, which also says when the first timer was asked for: a follower's first poll wait.</summary>
    private sealed class FirstWaitTimeProvider : TimeProvider
    {
        public TaskCompletionSource FirstWait { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            FirstWait.TrySetResult();
            return System.CreateTimer(callback, state, dueTime, period);
        }
    }

    /// <summary>Collects what a follow yields in the background.</summary>
    private sealed class Follower : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly List<JournalRecord> _records = [];
        private readonly Task _run;

        public Follower(JournalReader reader, JournalQuery? query = null, JournalReadReport? report = null)
        {
            _run = Task.Run(async () =>
            {
                await foreach (var record in reader.FollowAsync(query, report, _stop.Token))
                {
                    lock (_records)
                    {
                        _records.Add(record);
                    }
                }
            });
        }

        public Task Run => _run;

        public List<JournalRecord> Records
        {
            get
            {
                lock (_records)
                {
                    return [.. _records];
                }
            }
        }

        public Task<bool> SeenAsync(int count) => Bounds.EventuallyAsync(() => Records.Count >= count || _run.IsCompleted);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            try
            {
                await _run.WaitAsync(Bounds.Eventually);
            }
            catch (OperationCanceledException)
            {
            }

            _stop.Dispose();
        }
    }

    [Fact]
    public async Task Following_yields_records_as_they_are_appended_and_not_the_ones_before()
    {
        using var temp = new TempJournal();
        await using var journal = await temp.OpenAsync();
        await journal.AppendManyAsync(3);
        var clock = new FirstWaitTimeProvider();
        await using var follower = new Follower(new JournalReader(temp.Path, new JournalReaderOptions { FollowPollInterval = TimeSpan.FromMilliseconds(10), TimeProvider = clock }));

        // The follower has found the journal's end once it first waits for more (a fixed sleep here raced with it).
        await clock.FirstWait.Task.WaitAsync(Bounds.Eventually);
        await journal.AppendAsync(Entries.Numbered(10));
        await journal.AppendAsync(Entries.Numbered(11));

        Assert.True(await follower.SeenAsync(2));
        Assert.Equal([4ul, 5], follower.Records.Select(r => r.Seq));
    }

    [Fact]
    public async Task Following_from_a_seq_replays_from_there_and_then_waits_for_more()
    {
        using var temp = new TempJournal();
        await using var journal = await temp.OpenAsync();
        await journal.AppendManyAsync(5);
        await using var follower = new Follower(FastReader(temp), new JournalQuery { FromSeq = 4 });

        Assert.True(await follower.SeenAsync(2));
        await journal.AppendAsync(Entries.Numbered(6));

        Assert.True(await follower.SeenAsync(3));
        Assert.Equal([4ul, 5, 6], follower.Records.Select(r => r.Seq));
    }

    [Fact]
    public async Task Following_continues_into_new_segments_when_the_writer_rotates()
    {
        using var temp = new TempJournal();
        await using var journal = await temp.OpenAsync(new JournalOptions { SegmentMaxBytes = 4096 });
        await using var follower = new Follower(FastReader(temp), new JournalQuery { FromSeq = 1 });

        await journal.AppendManyAsync(200);

        Assert.True(await follower.SeenAsync(200));
        Assert.True(temp.Segments().Count > 3);
        Assert.Equal(Enumerable.Range(1, 200).Select(i => (ulong)i), follower.Records.Select(r => r.Seq));
    }

    [Fact]
    public async Task Following_waits_at_a_torn_tail_and_then_sees_the_repair_and_the_next_record()
    {
        // Arrange
        using var temp = new TempJournal();
        await using var journal = await temp.OpenAsync();
        await journal.AppendManyAsync(2);
        var report = new JournalReadReport();
        await using var follower = new Follower(FastReader(temp), new JournalQuery { FromSeq = 1 }, report);
        Assert.True(await follower.SeenAsync(2));

        // Act: a writer dies mid-line; later another append repairs the tail.
        temp.AppendRaw("{\"seq\":3,\"ts\":");
        await Task.Delay(100);
        await journal.AppendAsync(Entries.Numbered(7));

        // Assert
        Assert.True(await follower.SeenAsync(4));
        Assert.Equal([1ul, 2, 3, 4], follower.Records.Select(r => r.Seq));
        Assert.Equal(Journal.TailRepairedType, follower.Records[2].Type);
        Assert.Equal(7, follower.Records[3].N());
        Assert.True(report.IsClean);
    }

    [Fact]
    public async Task Following_stops_after_the_last_seq_asked_for()
    {
        using var temp = new TempJournal();
        await using var journal = await temp.OpenAsync();
        await journal.AppendManyAsync(3);
        var records = new List<JournalRecord>();

        var follow = Task.Run(async () =>
        {
            await foreach (var record in FastReader(temp).FollowAsync(new JournalQuery { FromSeq = 2, ToSeq = 4 }))
            {
                records.Add(record);
            }
        });
        await journal.AppendManyAsync(3);

        await follow.Soon();
        Assert.Equal([2ul, 3, 4], records.Select(r => r.Seq));
    }

    [Fact]
    public async Task Cancelling_a_follow_ends_it_with_OperationCanceledException()
    {
        using var temp = new TempJournal();
        await using var journal = await temp.OpenAsync();
        using var cancellation = new CancellationTokenSource();
        var follow = FastReader(temp).FollowAsync(cancellationToken: cancellation.Token).ToListAsync();

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => follow.Soon());
    }

    [Fact]
    public async Task Following_survives_retention_deleting_segments_under_it()
    {
        // Arrange: small segments, and retention keeping only two of them after every rotation.
        using var temp = new TempJournal();
        await using var journal = await temp.OpenAsync(new JournalOptions { SegmentMaxBytes = 4096, Retention = new RetentionPolicy { MaxSegments = 2 } });
        var report = new JournalReadReport();
        await using var follower = new Follower(FastReader(temp), new JournalQuery { FromSeq = 1 }, report);

        // Act
        var seqs = await journal.AppendManyAsync(400);

        // Assert: the follower reaches the end; whatever it missed was pruned, never damaged or out of order.
        Assert.True(await Bounds.EventuallyAsync(() => follower.Records.LastOrDefault()?.Seq == seqs[^1]), $"follower stopped at {follower.Records.LastOrDefault()?.Seq}");
        var followed = follower.Records.Select(r => r.Seq).ToList();
        Assert.Equal(followed.Order().Distinct(), followed);
        Assert.True(report.IsClean);
        Assert.True(journal.Counters.SegmentsDeleted > 0);
    }
}
