using System.Text.Json.Nodes;
using Tether.Journaling.Internal;

namespace Tether.Journaling.Tests;

public sealed class AppendSpecs
{
    [Fact]
    public async Task Seqs_start_at_1_and_increase_by_one()
    {
        using var temp = new TempJournal();
        await using var journal = await temp.OpenAsync();

        var seqs = await journal.AppendManyAsync(5);

        Assert.Equal([1ul, 2, 3, 4, 5], seqs);
        Assert.Equal([1ul, 2, 3, 4, 5], (await journal.Reader.ReadAsync().ToListAsync()).Select(r => r.Seq));
    }

    [Fact]
    public async Task Reopening_the_journal_continues_the_sequence()
    {
        using var temp = new TempJournal();
        await using (var first = await temp.OpenAsync())
        {
            await first.AppendManyAsync(3);
        }

        await using var second = await temp.OpenAsync();
        var seq = await second.AppendAsync(Entries.Numbered(99));

        Assert.Equal(4ul, seq);
    }

    [Fact]
    public async Task An_acknowledged_append_has_been_synced_to_disk()
    {
        using var temp = new TempJournal();
        await using var journal = await temp.OpenAsync();
        var before = journal.Counters.Syncs;

        await journal.AppendAsync(Entries.Numbered(1));

        Assert.Equal(before + 1, journal.Counters.Syncs);
        Assert.Equal(1, journal.Counters.Appended);
    }

    [Fact]
    public async Task The_journal_directory_is_owner_only_and_so_is_every_file_in_it()
    {
        using var temp = new TempJournal();
        await using var journal = await temp.OpenAsync();
        await journal.AppendAsync(Entries.Numbered(1));
        temp.AppendRaw("{\"torn");
        await using var second = await temp.OpenAsync(); // repairs the tail: a sidecar file appears

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(temp.Path));
        var files = Directory.GetFiles(temp.Path);
        Assert.Contains(files, f => Path.GetFileName(f).StartsWith("torn-", StringComparison.Ordinal));
        Assert.All(files, file => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file)));
    }

    [Fact]
    public async Task A_record_over_the_size_limit_is_refused_with_a_clear_error_and_nothing_is_written()
    {
        using var temp = new TempJournal();
        await using var journal = await temp.OpenAsync(new JournalOptions { MaxRecordBytes = 1024 });

        var error = await Assert.ThrowsAsync<JournalRecordTooLargeException>(
            () => journal.AppendAsync(new JournalEntry("spec.big", null, new JsonObject { ["text"] = new string('x', 2000) })));

        Assert.Equal(1024, error.Limit);
        Assert.True(error.Size > 2000);
        Assert.Contains("spec.big", error.Message, StringComparison.Ordinal);
        Assert.Contains("1024", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, journal.Counters.RejectedTooLarge);
        Assert.Equal(1ul, await journal.AppendAsync(Entries.Numbered(1)));
    }

    [Fact]
    public async Task A_record_just_under_the_limit_is_accepted_whatever_its_seq()
    {
        using var temp = new TempJournal();
        await using var journal = await temp.OpenAsync(new JournalOptions { MaxRecordBytes = 1024 });
        var body = RecordCodec.EncodeBody(new JournalEntry("spec.big", null, new JsonObject { ["text"] = "" }));
        var text = new string('x', 1024 - RecordCodec.MaxLineLength(body.Length));

        await journal.AppendAsync(new JournalEntry("spec.big", null, new JsonObject { ["text"] = text }));

        Assert.True(new FileInfo(temp.LastSegmentPath()).Length <= 1024);
    }

    [Fact]
    public async Task Appending_after_dispose_throws_ObjectDisposedException()
    {
        using var temp = new TempJournal();
        var journal = await temp.OpenAsync();
        await journal.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => journal.AppendAsync(Entries.Numbered(1)));
    }

    [Fact]
    public async Task Disposing_commits_what_was_already_queued()
    {
        using var temp = new TempJournal();
        var journal = await temp.OpenAsync();
        Task<ulong>[] appends;
        using (HeldLock.On(temp.Path))
        {
            appends = Enumerable.Range(0, 10).Select(i => journal.AppendAsync(Entries.Numbered(i))).ToArray();
            var disposing = journal.DisposeAsync().AsTask();
            Assert.False(disposing.IsCompleted);
        }

        var seqs = await Task.WhenAll(appends).Soon();
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (ulong)i), seqs.Order());
    }

    [Fact]
    public async Task An_append_cancelled_while_still_queued_is_certainly_not_written()
    {
        // Arrange: another "process" holds the lock, so appends queue up.
        using var temp = new TempJournal();
        await using var journal = await temp.OpenAsync();
        using var cancellation = new CancellationTokenSource();
        Task<ulong> first, cancelled, last;
        using (HeldLock.On(temp.Path))
        {
            first = journal.AppendAsync(Entries.Numbered(1));
            cancelled = journal.AppendAsync(Entries.Numbered(2), cancellation.Token);
            last = journal.AppendAsync(Entries.Numbered(3));

            // Act
            await cancellation.CancelAsync();
        }

        // Assert
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(1ul, await first.Soon());
        Assert.Equal(2ul, await last.Soon());
        Assert.Equal([1, 3], (await journal.Reader.ReadAsync().ToListAsync()).Select(r => r.N()));
    }

    [Fact]
    public async Task A_journal_directory_that_is_a_symbolic_link_is_refused()
    {
        using var temp = new TempJournal();
        var real = Path.Combine(temp.Root, "real");
        Directory.CreateDirectory(real);
        Directory.CreateSymbolicLink(temp.Path, real);

        var error = await Assert.ThrowsAsync<JournalFormatException>(() => temp.OpenAsync());

        Assert.Contains("symbolic link", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(real));
    }

    [Fact]
    public async Task A_segment_replaced_by_a_symbolic_link_is_never_written_through()
    {
        // Arrange
        using var temp = new TempJournal();
        await (await temp.OpenAsync()).DisposeAsync();
        var segment = temp.LastSegmentPath();
        var target = Path.Combine(temp.Root, "elsewhere.txt");
        File.WriteAllText(target, "precious\n");
        File.Delete(segment);
        File.CreateSymbolicLink(segment, target);

        // Act
        var error = await Assert.ThrowsAsync<JournalFormatException>(() => temp.OpenAsync());

        // Assert
        Assert.Contains("symbolic link", error.Message, StringComparison.Ordinal);
        Assert.Equal("precious\n", File.ReadAllText(target));
    }

    [Fact]
    public async Task A_directory_with_segments_but_no_manifest_is_not_taken_for_a_journal()
    {
        using var temp = new TempJournal();
        Directory.CreateDirectory(temp.Path);
        File.WriteAllText(Path.Combine(temp.Path, JournalLayout.SegmentName(1)), "not ours\n");

        var error = await Assert.ThrowsAsync<JournalFormatException>(() => temp.OpenAsync());

        Assert.Contains("journal.json", error.Message, StringComparison.Ordinal);
        Assert.Equal("not ours\n", File.ReadAllText(Path.Combine(temp.Path, JournalLayout.SegmentName(1))));
    }

    [Fact]
    public async Task A_journal_of_a_newer_format_version_is_refused_by_writers_and_readers()
    {
        using var temp = new TempJournal();
        await (await temp.OpenAsync()).DisposeAsync();
        File.WriteAllText(Path.Combine(temp.Path, "journal.json"), "{\"format\":\"tether-journal\",\"version\":2}\n");

        var writerError = await Assert.ThrowsAsync<JournalFormatException>(() => temp.OpenAsync());
        var readerError = await Assert.ThrowsAsync<JournalFormatException>(() => temp.Reader().ReadAsync().ToListAsync());

        Assert.Contains("version 2", writerError.Message, StringComparison.Ordinal);
        Assert.Contains("version 2", readerError.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Options_out_of_range_are_refused_when_the_journal_is_opened()
    {
        using var temp = new TempJournal();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => temp.OpenAsync(new JournalOptions { MaxRecordBytes = 10 }));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => temp.OpenAsync(new JournalOptions { SegmentMaxBytes = 100 }));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => temp.OpenAsync(new JournalOptions { MaxBatchBytes = 100 }));
        await Assert.ThrowsAsync<ArgumentException>(() => temp.OpenAsync(new JournalOptions { Retention = new RetentionPolicy() }));
    }

    [Fact]
    public async Task Opening_without_creating_refuses_a_directory_that_holds_no_journal()
    {
        using var temp = new TempJournal();
        var existingOnly = new JournalOptions { CreateIfMissing = false };

        await Assert.ThrowsAsync<DirectoryNotFoundException>(() => temp.OpenAsync(existingOnly));
        Directory.CreateDirectory(temp.Path);
        await Assert.ThrowsAsync<JournalFormatException>(() => temp.OpenAsync(existingOnly));
        Assert.Empty(Directory.GetFileSystemEntries(temp.Path));

        await (await temp.OpenAsync()).DisposeAsync();
        await using var journal = await temp.OpenAsync(existingOnly);
        Assert.Equal(1ul, await journal.AppendAsync(Entries.Numbered(1)));
    }
}
