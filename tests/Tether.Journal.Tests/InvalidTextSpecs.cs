using System.Buffers;
using Tether.Journaling.Internal;

namespace Tether.Journaling.Tests;

/// <summary>
/// A record whose checksum is right but whose text is not Unicode (an invalid UTF-8 byte, or an escape such as
/// <c>\ud800</c> that decodes to an unpaired surrogate) is one reported problem with its position; it never aborts a
/// reader, verify catches it, and it does not stop the journal from being appended to.
/// </summary>
public sealed class InvalidTextSpecs
{
    /// <summary>The bodies of sealed records that are not text, keyed by where the bad text is.</summary>
    public static TheoryData<string> BadBodies => new()
    {
        "type-byte",
        "type-escape",
        "data-byte",
        "data-escape",
        "job-byte",
        "data-name-escape",
    };

    private static byte[] Body(string where) => where switch
    {
        "type-byte" => [.. "\"type\":\"spec."u8, 0xFF, .. "\""u8],
        "type-escape" => "\"type\":\"spec.\\ud800\""u8.ToArray(),
        "data-byte" => [.. "\"type\":\"spec.event\",\"data\":{\"n\":\"a"u8, 0xC3, 0x28, .. "\"}"u8],
        "data-escape" => "\"type\":\"spec.event\",\"data\":{\"n\":[\"\\udc00\"]}"u8.ToArray(),
        "job-byte" => [.. "\"type\":\"spec.event\",\"job\":\""u8, 0xED, 0xA0, 0x80, .. "\""u8],
        "data-name-escape" => "\"type\":\"spec.event\",\"data\":{\"\\ud800x\":1}"u8.ToArray(),
        _ => throw new ArgumentOutOfRangeException(nameof(where)),
    };

    /// <summary>A whole line with a right checksum around <paramref name="body"/>.</summary>
    private static byte[] SealedLine(ulong seq, byte[] body)
    {
        var buffer = new ArrayBufferWriter<byte>();
        RecordCodec.WriteLine(buffer, seq, RecordCodec.TimestampUtf8(DateTimeOffset.UtcNow), body);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A journal of records 1–3, the bad record 4, then records 5–6 (or nothing after it).</summary>
    private static async Task<(TempJournal Temp, long Offset)> JournalWithBadRecordAsync(string where, bool last = false)
    {
        var temp = new TempJournal();
        await using (var journal = await temp.OpenAsync())
        {
            await journal.AppendManyAsync(3);
        }

        var offset = new FileInfo(temp.LastSegmentPath()).Length;
        temp.AppendRaw(SealedLine(4, Body(where)));
        if (!last)
        {
            temp.AppendRaw(FormatSpecs.WriterLine(5) + FormatSpecs.WriterLine(6));
        }

        return (temp, offset);
    }

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Verify_reports_a_sealed_record_with_invalid_text_as_one_problem_with_its_position(string where)
    {
        var (temp, offset) = await JournalWithBadRecordAsync(where);
        using var _ = temp;

        var report = await temp.Reader().VerifyAsync();

        Assert.False(report.IsValid);
        var problem = Assert.Single(report.Problems);
        Assert.Equal((JournalProblemKind.InvalidText, temp.Segments()[^1], offset, 4ul), (problem.Kind, problem.Segment, problem.Offset, problem.Seq));
        Assert.Equal(5, report.Records);
        Assert.Null(report.TornTail);
    }

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task A_strict_read_fails_with_the_typed_error_and_its_position(string where)
    {
        var (temp, offset) = await JournalWithBadRecordAsync(where);
        using var _ = temp;

        var error = await Assert.ThrowsAsync<JournalCorruptionException>(() => temp.Reader().ReadAsync().ToListAsync());

        Assert.Equal((JournalProblemKind.InvalidText, offset), (error.Problem.Kind, error.Problem.Offset));
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task A_tolerant_read_reports_the_record_and_goes_on(string where)
    {
        var (temp, offset) = await JournalWithBadRecordAsync(where);
        using var _ = temp;
        var report = new JournalReadReport();

        var records = await temp.Reader(ReadMode.Tolerant).ReadAsync(report: report).ToListAsync();

        Assert.Equal([1ul, 2, 3, 5, 6], records.Select(r => r.Seq));
        Assert.All(records, r => Assert.NotNull(r.Data));
        var problem = Assert.Single(report.Problems);
        Assert.Equal((JournalProblemKind.InvalidText, offset), (problem.Kind, problem.Offset));
    }

    [Fact]
    public async Task Reading_the_last_records_tolerantly_reports_the_record_and_strictly_fails_with_the_typed_error()
    {
        var (temp, offset) = await JournalWithBadRecordAsync("type-byte");
        using var _ = temp;
        var report = new JournalReadReport();

        var last = await temp.Reader(ReadMode.Tolerant).ReadLastAsync(10, report: report);
        var error = await Assert.ThrowsAsync<JournalCorruptionException>(() => temp.Reader().ReadLastAsync(10));

        Assert.Equal([1ul, 2, 3, 5, 6], last.Select(r => r.Seq));
        Assert.Equal(offset, Assert.Single(report.Problems).Offset);
        Assert.Equal(JournalProblemKind.InvalidText, error.Problem.Kind);
    }

    [Fact]
    public async Task Statistics_count_the_record_as_a_problem()
    {
        var (temp, _) = await JournalWithBadRecordAsync("data-escape");
        using var __ = temp;

        var stats = await temp.Reader().GetStatsAsync();

        Assert.Equal(1, stats.ProblemCount);
        Assert.Equal(5, stats.Records);
    }

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task A_journal_whose_last_record_is_not_text_can_still_be_appended_to(string where)
    {
        var (temp, offset) = await JournalWithBadRecordAsync(where, last: true);
        using var _ = temp;

        await using (var journal = await temp.OpenAsync())
        {
            Assert.Equal(5ul, await journal.AppendAsync(Entries.Numbered(5)));
        }

        var report = await temp.Reader().VerifyAsync();
        var problem = Assert.Single(report.Problems);
        Assert.Equal((JournalProblemKind.InvalidText, offset, 4ul), (problem.Kind, problem.Offset, problem.Seq));
        Assert.Empty(temp.TornFiles());
        Assert.Equal(4, report.Records);
    }

    [Fact]
    public async Task Following_reports_the_record_once_and_goes_on()
    {
        var (temp, _) = await JournalWithBadRecordAsync("type-escape");
        using var _ = temp;
        var report = new JournalReadReport();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var reader = new JournalReader(temp.Path, new JournalReaderOptions { Mode = ReadMode.Tolerant, FollowPollInterval = TimeSpan.FromMilliseconds(20) });

        var seqs = new List<ulong>();
        await foreach (var record in reader.FollowAsync(new JournalQuery { FromSeq = 1, ToSeq = 5 }, report, cancel.Token))
        {
            seqs.Add(record.Seq);
        }

        Assert.Equal([1ul, 2, 3, 5], seqs);
        Assert.Equal(JournalProblemKind.InvalidText, Assert.Single(report.Problems).Kind);
    }

    [Fact]
    public async Task Seqs_missing_before_a_record_that_is_not_text_are_still_a_gap()
    {
        using var temp = new TempJournal();
        await using (var journal = await temp.OpenAsync())
        {
            await journal.AppendManyAsync(3);
        }

        temp.AppendRaw(SealedLine(6, Body("type-byte")));
        temp.AppendRaw(FormatSpecs.WriterLine(7));

        var report = await temp.Reader().VerifyAsync();

        Assert.Equal([JournalProblemKind.SeqGap, JournalProblemKind.InvalidText], report.Problems.Select(p => p.Kind));
        Assert.Equal([4ul, 6], report.Problems.Select(p => p.Seq!.Value));
    }

    [Fact]
    public async Task One_flipped_byte_in_a_record_is_one_problem_not_also_a_gap()
    {
        using var temp = new TempJournal();
        await using (var journal = await temp.OpenAsync())
        {
            await journal.AppendManyAsync(10);
        }

        var (segment, offset) = temp.CorruptRecord(5);

        var report = await temp.Reader().VerifyAsync();
        var readReport = new JournalReadReport();
        var records = await temp.Reader(ReadMode.Tolerant).ReadAsync(report: readReport).ToListAsync();

        var problem = Assert.Single(report.Problems);
        Assert.Equal((JournalProblemKind.BadChecksum, segment, offset), (problem.Kind, problem.Segment, problem.Offset));
        Assert.Single(readReport.Problems);
        Assert.Equal(9, records.Count);
    }

    [Fact]
    public async Task A_flipped_byte_in_the_last_record_of_a_segment_is_one_problem_not_also_a_gap_in_the_next()
    {
        using var temp = new TempJournal();
        await using (var journal = await temp.OpenAsync(new JournalOptions { SegmentMaxBytes = 4096 }))
        {
            await journal.AppendManyAsync(80);
        }

        var segments = temp.Segments();
        Assert.True(segments.Count >= 2, "the journal has more than one segment");
        var lastOfFirst = JournalLayout.ListSegments(temp.Path)[1].FirstSeq - 1;
        var (segment, offset) = temp.CorruptRecord(lastOfFirst);

        var report = await temp.Reader().VerifyAsync();

        var problem = Assert.Single(report.Problems);
        Assert.Equal((JournalProblemKind.BadChecksum, segment, offset), (problem.Kind, problem.Segment, problem.Offset));
    }

    [Fact]
    public async Task Damage_that_hides_more_records_than_it_spans_is_still_a_gap()
    {
        using var temp = new TempJournal();
        await using (var journal = await temp.OpenAsync())
        {
            await journal.AppendManyAsync(3);
        }

        temp.AppendRaw("{\"not\":\"a record\"}\n" + FormatSpecs.WriterLine(7));

        var report = await temp.Reader().VerifyAsync();

        Assert.Equal([JournalProblemKind.Malformed, JournalProblemKind.SeqGap], report.Problems.Select(p => p.Kind));
        Assert.Equal(4ul, report.Problems[1].Seq);
    }
}
