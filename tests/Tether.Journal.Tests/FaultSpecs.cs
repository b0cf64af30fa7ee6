using Tether.Journaling.Internal;

namespace Tether.Journaling.Tests;

public sealed class FaultSpecs
{
    private const int EIO = 5;
    private const int ENOSPC = 28;

    /// <summary>Options whose next system call at <paramref name="point"/> fails once with <paramref name="errno"/>.</summary>
    private static JournalOptions FailOnce(FaultPoint point, int errno, Func<bool> armed)
    {
        var fired = 0;
        return new JournalOptions
        {
            Faults = new FaultInjection(p => p == point && armed() && Interlocked.Exchange(ref fired, 1) == 0 ? errno : 0),
        };
    }

    [Fact]
    public async Task A_failed_write_fails_the_append_clearly_and_leaves_no_partial_line_behind()
    {
        // Arrange
        using var temp = new TempJournal();
        var armed = false;
        await using var journal = await temp.OpenAsync(FailOnce(FaultPoint.Write, EIO, () => armed));
        await journal.AppendManyAsync(3);
        var length = new FileInfo(temp.LastSegmentPath()).Length;
        armed = true;

        // Act
        var error = await Assert.ThrowsAsync<JournalWriteException>(() => journal.AppendAsync(Entries.Numbered(99)));

        // Assert
        Assert.Equal(EIO, error.Errno);
        Assert.False(error.IsDiskFull);
        Assert.Contains("Input/output error", error.Message, StringComparison.Ordinal);
        Assert.Contains("was not acknowledged", error.Message, StringComparison.Ordinal);
        Assert.Equal(length, new FileInfo(temp.LastSegmentPath()).Length);
        Assert.Equal(1, journal.Counters.FailedCommits);
        Assert.Equal([0, 1, 2], (await temp.Reader().ReadAsync().ToListAsync()).Select(r => r.N()));
    }

    [Fact]
    public async Task After_a_failed_write_the_next_append_works_and_takes_the_next_seq()
    {
        using var temp = new TempJournal();
        var armed = false;
        await using var journal = await temp.OpenAsync(FailOnce(FaultPoint.Write, ENOSPC, () => armed));
        await journal.AppendManyAsync(3);
        armed = true;
        var error = await Assert.ThrowsAsync<JournalWriteException>(() => journal.AppendAsync(Entries.Numbered(99)));

        var seq = await journal.AppendAsync(Entries.Numbered(4));

        Assert.True(error.IsDiskFull);
        Assert.Contains("Free space", error.Message, StringComparison.Ordinal);
        Assert.Equal(4ul, seq);
        var verify = await journal.Reader.VerifyAsync();
        Assert.True(verify.IsValid, verify.ToString());
        Assert.Null(verify.TornTail);
    }

    [Fact]
    public async Task A_failed_fdatasync_fails_the_append_and_its_record_is_not_in_the_journal()
    {
        using var temp = new TempJournal();
        var armed = false;
        await using var journal = await temp.OpenAsync(FailOnce(FaultPoint.Sync, EIO, () => armed));
        await journal.AppendManyAsync(2);
        armed = true;

        await Assert.ThrowsAsync<JournalWriteException>(() => journal.AppendAsync(Entries.Numbered(99)));
        var seq = await journal.AppendAsync(Entries.Numbered(2));

        Assert.Equal(3ul, seq);
        Assert.DoesNotContain(await journal.Reader.ReadAsync().ToListAsync(), r => r.N() == 99);
    }

    [Fact]
    public async Task A_torn_tail_whose_sidecar_cannot_be_written_stays_in_place_and_nothing_is_appended()
    {
        using var temp = new TempJournal();
        var armed = false;
        await using var journal = await temp.OpenAsync(FailOnce(FaultPoint.SidecarWrite, ENOSPC, () => armed));
        await journal.AppendManyAsync(2);
        temp.AppendRaw("{\"seq\":3");
        var length = new FileInfo(temp.LastSegmentPath()).Length;
        armed = true;

        var error = await Assert.ThrowsAsync<JournalWriteException>(() => journal.AppendAsync(Entries.Numbered(99)));

        Assert.True(error.IsDiskFull);
        Assert.Equal(length, new FileInfo(temp.LastSegmentPath()).Length);
        Assert.Empty(temp.TornFiles());

        // Once the sidecar can be written, the repair and the append go through.
        Assert.Equal(4ul, await journal.AppendAsync(Entries.Numbered(3)));
        Assert.Single(temp.TornFiles());
    }

    [TmpfsFact]
    public async Task A_full_disk_fails_the_append_keeps_the_journal_valid_and_appends_work_again_once_space_is_back()
    {
        // Arrange: a 1 MiB tmpfs, most of it taken by a filler file.
        using var temp = new TempJournal();
        var mountPoint = Path.Combine(temp.Root, "small");
        Directory.CreateDirectory(mountPoint);
        using var mount = Tmpfs.TryMount(mountPoint, "1m", out var mountError) ?? throw new InvalidOperationException(mountError);
        var filler = Path.Combine(mountPoint, "filler");
        File.WriteAllBytes(filler, new byte[900 * 1024]);
        var directory = Path.Combine(mountPoint, "journal");
        var acknowledged = new List<ulong>();
        JournalWriteException? error = null;

        await using (var journal = await Journal.OpenAsync(directory))
        {
            // Act: append 1 KiB records until the file system is full.
            var text = new string('d', 1000);
            for (var i = 0; i < 1000 && error is null; i++)
            {
                try
                {
                    acknowledged.Add(await journal.AppendAsync(new JournalEntry("spec.fill", null, new System.Text.Json.Nodes.JsonObject { ["text"] = text })));
                }
                catch (JournalWriteException e)
                {
                    error = e;
                }
            }

            // Assert: a clear error, and a journal that reads back complete and valid.
            Assert.NotNull(error);
            Assert.True(error.IsDiskFull, error.Message);
            Assert.Contains("No space left on device", error.Message, StringComparison.Ordinal);
            var verify = await journal.Reader.VerifyAsync();
            Assert.True(verify.IsValid, verify.ToString());
            Assert.Null(verify.TornTail);
            Assert.Equal(acknowledged, (await journal.Reader.ReadAsync().ToListAsync()).Select(r => r.Seq));

            // Space comes back: appending works again, with the next seq.
            File.Delete(filler);
            Assert.Equal(acknowledged[^1] + 1, await journal.AppendAsync(Entries.Numbered(1)));
        }
    }
}
