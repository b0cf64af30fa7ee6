using System.Text;
using Tether.Journaling.Internal;

namespace Tether.Journaling.Tests;

public sealed class TornTailSpecs
{
    [Fact]
    public async Task A_final_line_without_a_newline_is_cut_off_on_open_and_kept_in_a_sidecar_file()
    {
        // Arrange: a writer died in the middle of a line.
        using var temp = new TempJournal();
        await using (var first = await temp.OpenAsync())
        {
            await first.AppendManyAsync(3);
        }

        var validLength = new FileInfo(temp.LastSegmentPath()).Length;
        const string Torn = "{\"seq\":4,\"ts\":\"2025-11-22T10:00:00.0000";
        temp.AppendRaw(Torn);

        // Act
        await using var journal = await temp.OpenAsync();

        // Assert
        var sidecar = Assert.Single(temp.TornFiles());
        Assert.Equal(Torn, File.ReadAllText(Path.Combine(temp.Path, sidecar)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(temp.Path, sidecar)));
        Assert.StartsWith($"torn-{temp.Segments()[0][..20]}-{validLength}-", sidecar, StringComparison.Ordinal);
        Assert.Equal(1, journal.Counters.TornTailsRepaired);
        Assert.Equal(Torn.Length, journal.Counters.TornBytesSaved);
    }

    [Fact]
    public async Task The_repair_is_recorded_in_the_journal_with_where_and_what_was_cut()
    {
        using var temp = new TempJournal();
        await using (var first = await temp.OpenAsync())
        {
            await first.AppendManyAsync(2);
        }

        var offset = new FileInfo(temp.LastSegmentPath()).Length;
        temp.AppendRaw("{\"seq\":3,");

        await using var journal = await temp.OpenAsync();

        var repair = (await journal.Reader.ReadAsync().ToListAsync()).Last();
        Assert.Equal(3ul, repair.Seq);
        Assert.Equal(Journal.TailRepairedType, repair.Type);
        var data = repair.Data!.Value;
        Assert.Equal(temp.Segments()[0], data.GetProperty("segment").GetString());
        Assert.Equal(offset, data.GetProperty("offset").GetInt64());
        Assert.Equal(9, data.GetProperty("bytes").GetInt64());
        Assert.Equal(temp.TornFiles()[0], data.GetProperty("sidecar").GetString());
        Assert.Contains("no newline", data.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_final_line_with_a_bad_checksum_is_cut_off_on_open()
    {
        using var temp = new TempJournal();
        await using (var first = await temp.OpenAsync())
        {
            await first.AppendManyAsync(3);
        }

        var bad = FormatSpecs.WriterLine(4).Replace("\"n\":0", "\"n\":7", StringComparison.Ordinal);
        temp.AppendRaw(bad);

        await using var journal = await temp.OpenAsync();

        Assert.Equal(bad, File.ReadAllText(Path.Combine(temp.Path, Assert.Single(temp.TornFiles()))));
        var records = await journal.Reader.ReadAsync().ToListAsync();
        Assert.Equal([1ul, 2, 3, 4], records.Select(r => r.Seq));
        Assert.Equal(Journal.TailRepairedType, records[^1].Type);
        Assert.Contains("checksum", records[^1].Data!.Value.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_torn_final_line_followed_by_a_new_append_keeps_both_the_earlier_records_and_the_new_one()
    {
        // Arrange
        using var temp = new TempJournal();
        await using (var first = await temp.OpenAsync())
        {
            await first.AppendManyAsync(3);
        }

        temp.AppendRaw("{\"seq\":4,\"ts\":\"20");

        // Act
        await using var journal = await temp.OpenAsync();
        var seq = await journal.AppendAsync(Entries.Numbered(42));

        // Assert
        var records = await journal.Reader.ReadAsync().ToListAsync();
        Assert.Equal([0, 1, 2], records.Take(3).Select(r => r.N()));
        Assert.Equal(seq, records[^1].Seq);
        Assert.Equal(42, records[^1].N());
        Assert.All(File.ReadAllLines(temp.LastSegmentPath()), line => Assert.StartsWith("{\"seq\":", line, StringComparison.Ordinal));
        Assert.True((await journal.Reader.VerifyAsync()).IsValid);
    }

    [Fact]
    public async Task A_tail_torn_by_another_writer_is_repaired_before_this_writers_next_commit()
    {
        // Arrange: this writer is open; another one then dies mid-write.
        using var temp = new TempJournal();
        await using var journal = await temp.OpenAsync();
        await journal.AppendManyAsync(2);
        var torn = FormatSpecs.WriterLine(3)[..25];
        temp.AppendRaw(torn);

        // Act
        var seq = await journal.AppendAsync(Entries.Numbered(7));

        // Assert
        Assert.Equal(4ul, seq); // seq 3 is the repair record
        Assert.Equal(1, journal.Counters.TornTailsRepaired);
        Assert.Equal(torn, File.ReadAllText(Path.Combine(temp.Path, Assert.Single(temp.TornFiles()))));
        var records = await journal.Reader.ReadAsync().ToListAsync();
        Assert.Equal([1ul, 2, 3, 4], records.Select(r => r.Seq));
        Assert.Equal(Journal.TailRepairedType, records[2].Type);
    }

    [Fact]
    public async Task Several_damaged_lines_at_the_end_are_one_torn_tail()
    {
        using var temp = new TempJournal();
        await using (var first = await temp.OpenAsync())
        {
            await first.AppendManyAsync(2);
        }

        var garbage = "not json\n" + FormatSpecs.WriterLine(3).Replace("\"n\":0", "\"n\":1", StringComparison.Ordinal) + "{\"seq\":4";
        temp.AppendRaw(garbage);

        var report = new JournalReadReport();
        var before = await temp.Reader().ReadAsync(report: report).ToListAsync();
        await using var journal = await temp.OpenAsync();

        Assert.Equal(2, before.Count);
        Assert.NotNull(report.TornTail);
        Assert.Equal(Encoding.UTF8.GetByteCount(garbage), report.TornTail.Length);
        Assert.Equal(garbage, File.ReadAllText(Path.Combine(temp.Path, Assert.Single(temp.TornFiles()))));
    }

    [Fact]
    public async Task Readers_report_a_torn_tail_and_never_call_it_corruption()
    {
        using var temp = new TempJournal();
        await using (var first = await temp.OpenAsync())
        {
            await first.AppendManyAsync(3);
        }

        var segment = temp.LastSegmentPath();
        var offset = new FileInfo(segment).Length;
        temp.AppendRaw("{\"seq\":4,\"t");
        var report = new JournalReadReport();

        var records = await temp.Reader(ReadMode.Strict).ReadAsync(report: report).ToListAsync();
        var verify = await temp.Reader().VerifyAsync();

        Assert.Equal(3, records.Count);
        Assert.True(report.IsClean);
        Assert.Equal(offset, report.TornTail!.Offset);
        Assert.Equal(11, report.TornTail.Length);
        Assert.True(verify.IsValid, verify.ToString());
        Assert.NotNull(verify.TornTail);
        Assert.Equal(11, new FileInfo(segment).Length - offset); // readers never change a file
    }

    [Fact]
    public async Task A_segment_holding_only_a_torn_line_is_emptied_and_its_first_seq_is_used_again()
    {
        using var temp = new TempJournal();
        var options = new JournalOptions { SegmentMaxBytes = 4096 };
        await using (var first = await temp.OpenAsync(options))
        {
            await first.AppendManyAsync(3);
        }

        // A writer started segment 4 and died inside its first line.
        var name = JournalLayout.SegmentName(4);
        File.WriteAllText(Path.Combine(temp.Path, name), "{\"seq\":4,\"ts");
        File.SetUnixFileMode(Path.Combine(temp.Path, name), UnixFileMode.UserRead | UnixFileMode.UserWrite);

        await using var journal = await temp.OpenAsync(options);
        var seq = await journal.AppendAsync(Entries.Numbered(5));

        Assert.Equal(5ul, seq); // 4 is the repair record, written into segment 4
        var records = await journal.Reader.ReadAsync().ToListAsync();
        Assert.Equal([1ul, 2, 3, 4, 5], records.Select(r => r.Seq));
        Assert.Equal(name, records[3].Segment);
        Assert.True((await journal.Reader.VerifyAsync()).IsValid);
    }

    [Fact]
    public async Task Damage_at_the_end_larger_than_any_torn_write_is_refused_and_left_in_place()
    {
        using var temp = new TempJournal();
        await using (var first = await temp.OpenAsync())
        {
            await first.AppendAsync(Entries.Numbered(1));
        }

        var line = Encoding.ASCII.GetBytes(new string('z', 1023) + "\n");
        using (var stream = new FileStream(temp.LastSegmentPath(), FileMode.Append))
        {
            for (var i = 0; i < (TailLocator.TornLimit / line.Length) + 2; i++)
            {
                stream.Write(line);
            }
        }

        var size = new FileInfo(temp.LastSegmentPath()).Length;

        var error = await Assert.ThrowsAsync<JournalCorruptionException>(() => temp.OpenAsync());

        Assert.Contains("more than a torn write can leave", error.Message, StringComparison.Ordinal);
        Assert.Equal(size, new FileInfo(temp.LastSegmentPath()).Length);
        Assert.Empty(temp.TornFiles());
    }
}
