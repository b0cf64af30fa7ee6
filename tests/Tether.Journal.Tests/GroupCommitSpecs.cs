namespace Tether.Journaling.Tests;

public sealed class GroupCommitSpecs
{
    [Fact]
    public async Task Appends_queued_while_a_commit_waits_share_one_write_and_one_fdatasync()
    {
        // Arrange: another writer holds the lock, so 50 appends pile up behind it.
        using var temp = new TempJournal();
        await using var journal = await temp.OpenAsync();
        var before = journal.Counters;
        Task<ulong>[] appends;
        using (HeldLock.On(temp.Path))
        {
            appends = Enumerable.Range(0, 50).Select(i => journal.AppendAsync(Entries.Numbered(i))).ToArray();
        }

        // Act
        var seqs = await Task.WhenAll(appends).Soon();

        // Assert
        Assert.Equal(Enumerable.Range(1, 50).Select(i => (ulong)i), seqs.Order());
        Assert.Equal(before.Commits + 1, journal.Counters.Commits);
        Assert.Equal(before.Syncs + 1, journal.Counters.Syncs);
    }

    [Fact]
    public async Task Appends_queue_in_call_order_so_one_caller_gets_increasing_seqs()
    {
        using var temp = new TempJournal();
        await using var journal = await temp.OpenAsync();
        Task<ulong>[] appends;
        using (HeldLock.On(temp.Path))
        {
            appends = Enumerable.Range(0, 20).Select(i => journal.AppendAsync(Entries.Numbered(i))).ToArray();
        }

        var seqs = await Task.WhenAll(appends).Soon();

        Assert.Equal(seqs.Order(), seqs);
        Assert.Equal(Enumerable.Range(0, 20), (await journal.Reader.ReadAsync().ToListAsync()).Select(r => r.N()));
    }

    [Fact]
    public async Task Many_concurrent_appenders_get_distinct_continuous_seqs_in_fewer_commits_than_records()
    {
        using var temp = new TempJournal();
        await using var journal = await temp.OpenAsync();

        var seqs = await Task.WhenAll(Enumerable.Range(0, 16).Select(async task =>
        {
            var mine = new List<ulong>();
            for (var i = 0; i < 25; i++)
            {
                mine.Add(await journal.AppendAsync(Entries.Numbered((task * 100) + i)));
            }

            return mine;
        })).Soon();

        var all = seqs.SelectMany(s => s).Order().ToList();
        Assert.Equal(Enumerable.Range(1, 400).Select(i => (ulong)i), all);
        Assert.All(seqs, mine => Assert.Equal(mine.Order(), mine));
        Assert.True(journal.Counters.Syncs < 400, $"{journal.Counters.Syncs} fdatasyncs for 400 concurrent appends: no group commit");
    }

    [Fact]
    public async Task A_full_queue_makes_appenders_wait_for_room_and_counts_it()
    {
        using var temp = new TempJournal();
        await using var journal = await temp.OpenAsync(new JournalOptions { QueueCapacity = 4 });
        Task<ulong>[] appends;
        using (HeldLock.On(temp.Path))
        {
            appends = Enumerable.Range(0, 12).Select(i => journal.AppendAsync(Entries.Numbered(i))).ToArray();
            Assert.True(journal.Counters.QueueFullWaits > 0);
        }

        var seqs = await Task.WhenAll(appends).Soon();

        Assert.Equal(Enumerable.Range(1, 12).Select(i => (ulong)i), seqs.Order());
    }
}
