namespace Tether.Journaling.Tests;

public sealed class DurabilitySpecs
{
    [Fact]
    public async Task A_buffered_append_is_acknowledged_before_any_sync()
    {
        using var temp = new TempJournal();
        var clock = VirtualClock.Create();
        await using var journal = await temp.OpenAsync(new JournalOptions { Durability = Durability.Buffered, TimeProvider = clock });
        var syncsAtOpen = journal.Counters.Syncs;

        var seq = await journal.AppendAsync(Entries.Numbered(1)).Soon();

        Assert.Equal(1ul, seq);
        Assert.Equal(syncsAtOpen, journal.Counters.Syncs);
        Assert.Single(await journal.Reader.ReadAsync().ToListAsync()); // already in the file: a process crash loses nothing
    }

    [Fact]
    public async Task Buffered_records_are_synced_once_the_interval_has_passed()
    {
        // Arrange
        using var temp = new TempJournal();
        var clock = VirtualClock.Create();
        var interval = TimeSpan.FromMilliseconds(250);
        await using var journal = await temp.OpenAsync(new JournalOptions { Durability = Durability.Buffered, BufferedSyncInterval = interval, TimeProvider = clock });
        var syncsAtOpen = journal.Counters.Syncs;
        await journal.AppendAsync(Entries.Numbered(1));
        await journal.AppendAsync(Entries.Numbered(2));

        // Act & Assert: no sync before the interval, exactly one after it.
        clock.Advance(interval - TimeSpan.FromMilliseconds(1));
        await Task.Delay(50);
        Assert.Equal(syncsAtOpen, journal.Counters.Syncs);

        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(await Bounds.EventuallyAsync(() => journal.Counters.Syncs == syncsAtOpen + 1));
    }

    [Fact]
    public async Task Flushing_syncs_buffered_records_right_away()
    {
        using var temp = new TempJournal();
        var clock = VirtualClock.Create();
        await using var journal = await temp.OpenAsync(new JournalOptions { Durability = Durability.Buffered, TimeProvider = clock });
        await journal.AppendManyAsync(3);
        var before = journal.Counters.Syncs;

        await journal.FlushAsync().Soon();

        Assert.Equal(before + 1, journal.Counters.Syncs);
    }

    [Fact]
    public async Task Disposing_syncs_buffered_records()
    {
        using var temp = new TempJournal();
        var clock = VirtualClock.Create();
        var journal = await temp.OpenAsync(new JournalOptions { Durability = Durability.Buffered, TimeProvider = clock });
        await journal.AppendManyAsync(3);
        var before = journal.Counters.Syncs;

        await journal.DisposeAsync().AsTask().Soon();

        Assert.Equal(before + 1, journal.Counters.Syncs);
    }

    [Fact]
    public async Task Synced_appends_leave_nothing_to_flush()
    {
        using var temp = new TempJournal();
        await using var journal = await temp.OpenAsync();
        await journal.AppendManyAsync(3);
        var before = journal.Counters.Syncs;

        await journal.FlushAsync();

        Assert.Equal(before, journal.Counters.Syncs);
    }
}
