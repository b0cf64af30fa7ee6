namespace Tether.Journaling.Tests;

/// <summary>Several writers on one directory. Two instances in one process hold separate lock descriptions, exactly as
/// two processes do; the crash specs do the same with real processes.</summary>
public sealed class MultiWriterSpecs
{
    [Fact]
    public async Task A_writer_takes_the_next_seq_from_the_real_tail_not_from_its_memory()
    {
        using var temp = new TempJournal();
        await using var a = await temp.OpenAsync();
        await using var b = await temp.OpenAsync();

        await a.AppendManyAsync(3);
        await b.AppendManyAsync(5);
        var seq = await a.AppendAsync(Entries.Numbered(100));

        Assert.Equal(9ul, seq);
        Assert.True(a.Counters.TailReloads >= 1);
        Assert.True((await a.Reader.VerifyAsync()).IsValid);
    }

    [Fact]
    public async Task Two_writers_appending_at_once_never_duplicate_or_skip_a_seq()
    {
        using var temp = new TempJournal();
        await using var a = await temp.OpenAsync();
        await using var b = await temp.OpenAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            var journal = i % 2 == 0 ? a : b;
            var seqs = new List<ulong>();
            for (var n = 0; n < 30; n++)
            {
                seqs.Add(await journal.AppendAsync(Entries.Numbered((i * 1000) + n)));
            }

            return seqs;
        })).Soon();

        Assert.Equal(Enumerable.Range(1, 240).Select(i => (ulong)i), results.SelectMany(s => s).Order());
        var verify = await a.Reader.VerifyAsync();
        Assert.True(verify.IsValid, verify.ToString());
        Assert.Equal(240, verify.Records);
    }

    [Fact]
    public async Task A_writer_notices_that_another_one_started_a_new_segment()
    {
        using var temp = new TempJournal();
        var options = new JournalOptions { SegmentMaxBytes = 4096 };
        await using var a = await temp.OpenAsync(options);
        await using var b = await temp.OpenAsync(options);
        await a.AppendManyAsync(5);

        // b fills the segment a knows and rotates past it.
        await b.AppendManyAsync(80);
        Assert.True(temp.Segments().Count > 1);
        var seq = await a.AppendAsync(Entries.Numbered(999));

        Assert.Equal(86ul, seq);
        var last = Assert.Single(await temp.Reader().ReadLastAsync(1));
        Assert.Equal(temp.Segments()[^1], last.Segment);
        Assert.True((await a.Reader.VerifyAsync()).IsValid);
    }

    [Fact]
    public async Task A_lock_file_that_was_deleted_and_recreated_still_excludes_other_writers()
    {
        using var temp = new TempJournal();
        await using var a = await temp.OpenAsync();
        await a.AppendAsync(Entries.Numbered(1));
        File.Delete(Path.Combine(temp.Path, "journal.lock"));
        await using var b = await temp.OpenAsync();

        var seqs = await Task.WhenAll(
            Enumerable.Range(0, 40).Select(i => (i % 2 == 0 ? a : b).AppendAsync(Entries.Numbered(i)))).Soon();

        Assert.Equal(Enumerable.Range(2, 40).Select(i => (ulong)i), seqs.Order());
        Assert.True((await a.Reader.VerifyAsync()).IsValid);
    }
}
