using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Tether.Journaling.Internal;

namespace Tether.Journaling.Tests;

public sealed partial class FormatSpecs
{
    [Fact]
    public async Task A_record_is_one_JSON_line_with_seq_ts_type_job_data_and_crc_in_that_order()
    {
        // Arrange
        using var temp = new TempJournal();
        await using var journal = await temp.OpenAsync();

        // Act
        await journal.AppendAsync(new JournalEntry("job.started", "build-42", new JsonObject { ["attempt"] = 2 }));
        await journal.AppendAsync(new JournalEntry("job.note"));

        // Assert
        var lines = File.ReadAllText(temp.LastSegmentPath()).Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.Equal("", lines[2]);
        Assert.Matches(LineWithJobAndData(), lines[0]);
        Assert.Matches(LineWithoutJobOrData(), lines[1]);
    }

    [Fact]
    public async Task The_checksum_covers_the_line_as_if_the_crc_member_were_absent()
    {
        using var temp = new TempJournal();
        await using var journal = await temp.OpenAsync();
        await journal.AppendAsync(new JournalEntry("job.started", "j", new JsonObject { ["text"] = "héllo \"quoted\"\n" }));

        var line = File.ReadAllText(temp.LastSegmentPath()).TrimEnd('\n');
        var crcAt = line.LastIndexOf(",\"crc\":\"", StringComparison.Ordinal);
        var stored = uint.Parse(line.AsSpan(crcAt + 8, 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        var withoutCrc = line[..crcAt] + "}";

        Assert.Equal(ChecksumSpecs.BitwiseCrc32C(Encoding.UTF8.GetBytes(withoutCrc)), stored);
        Assert.Equal(line.Length - 18, crcAt);
    }

    [Fact]
    public async Task The_timestamp_is_UTC_RFC3339_with_microseconds_from_the_journal_clock()
    {
        using var temp = new TempJournal();
        var clock = VirtualClock.Create();
        clock.Advance(TimeSpan.FromTicks(1_234_567_891)); // 123.4567891 s: the last tick is below a microsecond
        await using var journal = await temp.OpenAsync(new JournalOptions { TimeProvider = clock });

        await journal.AppendAsync(Entries.Numbered(1));

        var record = Assert.Single(await journal.Reader.ReadAsync().ToListAsync());
        Assert.Contains("\"ts\":\"2030-01-01T00:02:03.456789Z\"", record.ToJson(), StringComparison.Ordinal);
        Assert.Equal(new DateTimeOffset(2030, 1, 1, 0, 2, 3, TimeSpan.Zero).AddTicks(4_567_890), record.Timestamp);
    }

    [Fact]
    public async Task Every_line_is_plain_JSON_that_jq_reads_without_knowing_the_checksum()
    {
        using var temp = new TempJournal();
        await using var journal = await temp.OpenAsync();
        await journal.AppendAsync(new JournalEntry("spec.text", null, new JsonObject { ["text"] = "tab\t, newline\n, accents éü, emoji 😀, nul \0" }));

        var line = File.ReadAllLines(temp.LastSegmentPath()).Single();
        using var document = JsonDocument.Parse(line);

        Assert.Equal("tab\t, newline\n, accents éü, emoji 😀, nul \0", document.RootElement.GetProperty("data").GetProperty("text").GetString());
        Assert.Equal(JsonValueKind.String, document.RootElement.GetProperty("crc").ValueKind);
        Assert.Contains("accents éü", line, StringComparison.Ordinal); // stored as UTF-8, readable with tail -f
    }

    /// <summary>The golden segment of docs/formats/journal.md, byte for byte.</summary>
    private const string GoldenSegment =
        "{\"seq\":1,\"ts\":\"2025-11-22T10:00:00.000000Z\",\"type\":\"job.started\",\"job\":\"build-42\",\"data\":{\"attempt\":1},\"crc\":\"ae5f480d\"}\n"
        + "{\"seq\":2,\"ts\":\"2025-11-22T10:00:01.250000Z\",\"type\":\"job.completed\",\"job\":\"build-42\",\"data\":{\"exit_code\":0},\"crc\":\"193fa9b2\"}\n"
        + "{\"seq\":3,\"ts\":\"2025-11-22T10:00:02.000000Z\",\"type\":\"service.restarted\",\"crc\":\"c143bf40\"}\n";

    [Fact]
    public async Task The_golden_segment_of_the_format_page_is_read_back()
    {
        using var temp = new TempJournal();
        await (await temp.OpenAsync()).DisposeAsync();
        temp.AppendRaw(GoldenSegment);

        var records = await temp.Reader().ReadAsync().ToListAsync();

        Assert.Equal([1ul, 2, 3], records.Select(r => r.Seq));
        Assert.Equal(["job.started", "job.completed", "service.restarted"], records.Select(r => r.Type));
        Assert.Equal("build-42", records[0].Job);
        Assert.Null(records[2].Job);
        Assert.Null(records[2].Data);
        Assert.Equal(1, records[0].Data!.Value.GetProperty("attempt").GetInt32());
        Assert.Equal(new DateTimeOffset(2025, 11, 22, 10, 0, 1, 250, TimeSpan.Zero), records[1].Timestamp);
        Assert.True((await temp.Reader().VerifyAsync()).IsValid);
    }

    [Fact]
    public void The_golden_checksums_follow_the_rule_of_the_format_page()
    {
        foreach (var line in GoldenSegment.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var withoutCrc = Encoding.UTF8.GetBytes(line[..^18] + "}");
            Assert.Equal(line[^10..^2], ChecksumSpecs.BitwiseCrc32C(withoutCrc).ToString("x8", CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public async Task A_writer_continues_a_journal_written_by_another_implementation()
    {
        using var temp = new TempJournal();
        await (await temp.OpenAsync()).DisposeAsync();
        temp.AppendRaw(GoldenSegment);

        await using var journal = await temp.OpenAsync();

        Assert.Equal(4ul, await journal.AppendAsync(Entries.Numbered(4)));
    }

    [Fact]
    public async Task Members_a_reader_does_not_know_are_ignored()
    {
        using var temp = new TempJournal();
        await (await temp.OpenAsync()).DisposeAsync();
        temp.AppendRaw(LineWithChecksum("{\"seq\":1,\"ts\":\"2025-11-22T10:00:00.000000Z\",\"type\":\"a.b\",\"added_in_a_later_version\":[1,2]}"));

        var record = Assert.Single(await temp.Reader().ReadAsync().ToListAsync());

        Assert.Equal("a.b", record.Type);
    }

    [Theory]
    [InlineData("job.started")]
    [InlineData("run")]
    [InlineData("service.restart_requested")]
    [InlineData("a-b.c_d.e1")]
    public void Dotted_lower_case_names_are_record_types(string type)
    {
        Assert.Equal(type, new JournalEntry(type).Type);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Job.Started")]
    [InlineData("job..started")]
    [InlineData(".job")]
    [InlineData("job.")]
    [InlineData("job started")]
    [InlineData("_job")]
    public void Anything_else_is_refused_as_a_record_type(string type)
    {
        var error = Assert.Throws<ArgumentException>(() => new JournalEntry(type));

        Assert.Contains("job.started", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Types_of_the_journal_itself_cannot_be_appended()
    {
        var error = Assert.Throws<ArgumentException>(() => new JournalEntry("journal.tail_repaired"));

        Assert.Contains("reserved", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_job_name_is_bounded_and_free_of_control_characters()
    {
        Assert.Throws<ArgumentException>(() => new JournalEntry("a.b", ""));
        Assert.Throws<ArgumentException>(() => new JournalEntry("a.b", new string('j', JournalEntry.MaxJobLength + 1)));
        Assert.Throws<ArgumentException>(() => new JournalEntry("a.b", "line\nbreak"));
        Assert.Equal("jöb 1", new JournalEntry("a.b", "jöb 1").Job);
    }

    /// <summary>Completes a line written by hand with its checksum member and newline.</summary>
    internal static string LineWithChecksum(string jsonWithoutCrc)
    {
        var crc = ChecksumSpecs.BitwiseCrc32C(Encoding.UTF8.GetBytes(jsonWithoutCrc));
        return jsonWithoutCrc[..^1] + ",\"crc\":\"" + crc.ToString("x8", CultureInfo.InvariantCulture) + "\"}\n";
    }

    /// <summary>A line as the writer makes it, for seq <paramref name="seq"/>.</summary>
    internal static string WriterLine(ulong seq, string type = "spec.event", int n = 0)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var body = RecordCodec.EncodeBody(Entries.Numbered(n, type));
        RecordCodec.WriteLine(buffer, seq, RecordCodec.TimestampUtf8(DateTimeOffset.UtcNow), body);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [GeneratedRegex("""^\{"seq":1,"ts":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z","type":"job\.started","job":"build-42","data":\{"attempt":2\},"crc":"[0-9a-f]{8}"\}$""")]
    private static partial Regex LineWithJobAndData();

    [GeneratedRegex("""^\{"seq":2,"ts":"[^"]+","type":"job\.note","crc":"[0-9a-f]{8}"\}$""")]
    private static partial Regex LineWithoutJobOrData();
}
