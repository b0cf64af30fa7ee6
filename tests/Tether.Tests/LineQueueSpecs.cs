using Tether.Output;

namespace Tether.Tests;

/// <summary>The queue behind a taken line stream or events: lines handed over in batches, in order, with backpressure.</summary>
public sealed class LineQueueSpecs
{
    [Fact]
    public async Task Batches_larger_than_the_queue_arrive_whole_and_in_order()
    {
        // Arrange: batches of 100 into a queue of 64, so most batches are added in parts while the reader catches up.
        var queue = new LineQueue<int>(64, "Lines()");
        var lines = queue.Take(CancellationToken.None);
        var writer = Task.Run(async () =>
        {
            for (var batch = 0; batch < 100; batch++)
            {
                await queue.AddRangeAsync(Enumerable.Range(batch * 100, 100).ToList(), CancellationToken.None);
            }

            queue.Complete();
        });

        // Act
        var received = await lines.ToListAsync().AsTask().Soon();
        await writer.Soon();

        // Assert
        Assert.Equal(Enumerable.Range(0, 10_000), received);
        Assert.Equal(0, queue.Dropped);
    }

    [Fact]
    public async Task A_full_queue_holds_the_writer_until_the_reader_takes_the_lines()
    {
        // Arrange
        var queue = new LineQueue<int>(4, "Lines()");
        await using var reader = queue.Take(CancellationToken.None).GetAsyncEnumerator();

        // Act
        var adding = queue.AddRangeAsync(Enumerable.Range(1, 10).ToList(), CancellationToken.None).AsTask();
        var heldWhileFull = !adding.IsCompleted;
        var received = new List<int>();
        while (received.Count < 10)
        {
            Assert.True(await reader.MoveNextAsync().AsTask().Soon());
            received.Add(reader.Current);
        }

        await adding.Soon();

        // Assert
        Assert.True(heldWhileFull);
        Assert.Equal(Enumerable.Range(1, 10), received);
        Assert.Equal(0, queue.Dropped);
    }

    [Fact]
    public async Task A_reader_that_stops_early_releases_a_waiting_writer_and_nothing_is_queued_after()
    {
        // Arrange: the writer is held by a full queue.
        var queue = new LineQueue<int>(2, "Lines()");
        var reader = queue.Take(CancellationToken.None).GetAsyncEnumerator();
        var adding = queue.AddRangeAsync([1, 2, 3, 4, 5], CancellationToken.None).AsTask();
        var heldWhileFull = !adding.IsCompleted;

        // Act
        await reader.DisposeAsync();
        await adding.Soon();
        var later = queue.AddRangeAsync(Enumerable.Range(0, 100).ToList(), CancellationToken.None);

        // Assert
        Assert.True(heldWhileFull);
        Assert.True(later.IsCompletedSuccessfully);
        Assert.Equal(0, queue.Dropped); // lines nobody will read are not "dropped" for a reader
    }

    [Fact]
    public async Task Seeding_past_the_capacity_keeps_the_newest_and_counts_the_oldest_as_dropped()
    {
        // Arrange
        var queue = new LineQueue<string>(3, "Lines()");
        foreach (var line in new[] { "a", "b", "c", "d", "e" })
        {
            queue.Seed(line);
        }

        queue.Complete();

        // Act: taken after it completed, as a stream taken after the run.
        var received = await queue.Take(CancellationToken.None).ToListAsync().AsTask().Soon();

        // Assert
        Assert.Equal(["c", "d", "e"], received);
        Assert.Equal(2, queue.Dropped);
    }

    [Fact]
    public async Task A_reader_waiting_for_lines_stops_when_its_token_is_cancelled_and_no_longer_holds_the_writer()
    {
        // Arrange
        var queue = new LineQueue<int>(2, "Lines()");
        using var cancellation = new CancellationTokenSource();
        var reader = queue.Take(cancellation.Token).GetAsyncEnumerator();
        var waiting = reader.MoveNextAsync().AsTask();

        // Act
        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.Soon());
        await reader.DisposeAsync();
        var adding = queue.AddRangeAsync([1, 2, 3, 4, 5], CancellationToken.None);

        // Assert
        Assert.True(adding.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task A_writer_held_by_a_full_queue_stops_when_its_token_is_cancelled()
    {
        // Arrange
        var queue = new LineQueue<int>(2, "Lines()");
        await using var reader = queue.Take(CancellationToken.None).GetAsyncEnumerator();
        using var cancellation = new CancellationTokenSource();
        var adding = queue.AddRangeAsync([1, 2, 3], cancellation.Token).AsTask();

        // Act
        var heldWhileFull = !adding.IsCompleted;
        await cancellation.CancelAsync();

        // Assert
        Assert.True(heldWhileFull);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => adding.Soon());
        Assert.True(await reader.MoveNextAsync().AsTask().Soon());
        Assert.Equal(1, reader.Current);
    }

    [Fact]
    public async Task Two_writers_each_keep_their_own_order()
    {
        // Arrange: the events queue is fed by both pumps at once.
        var queue = new LineQueue<(int Writer, int Line)>(16, "Events()");
        var lines = queue.Take(CancellationToken.None);
        async Task WriteAsync(int writer)
        {
            for (var batch = 0; batch < 50; batch++)
            {
                await queue.AddRangeAsync(Enumerable.Range(batch * 40, 40).Select(i => (writer, i)).ToList(), CancellationToken.None);
            }
        }

        var writers = Task.WhenAll(Task.Run(() => WriteAsync(1)), Task.Run(() => WriteAsync(2)));
        _ = writers.ContinueWith(_ => queue.Complete(), TaskScheduler.Default);

        // Act
        var received = await lines.ToListAsync().AsTask().Soon();
        await writers.Soon();

        // Assert
        Assert.Equal(Enumerable.Range(0, 2000), received.Where(e => e.Writer == 1).Select(e => e.Line));
        Assert.Equal(Enumerable.Range(0, 2000), received.Where(e => e.Writer == 2).Select(e => e.Line));
    }

    [Fact]
    public void A_queue_can_be_taken_only_once()
    {
        var queue = new LineQueue<int>(4, "StdoutLines()");
        _ = queue.Take(CancellationToken.None);

        var error = Assert.Throws<InvalidOperationException>(() => queue.Take(CancellationToken.None));

        Assert.Contains("StdoutLines() can be taken only once", error.Message, StringComparison.Ordinal);
    }
}
