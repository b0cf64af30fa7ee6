using System.Text.Json;
using System.Text.Json.Nodes;
using Tether.Cli.Tests.Infrastructure;
using Tether.Journaling;

namespace Tether.Cli.Tests;

/// <summary><c>tether journal append|show|tail|verify|stats|prune</c> on real journals in temp directories.</summary>
public sealed class JournalCommandSpecs : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string JournalPath => _temp.Child("journal");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Append_prints_the_seq_of_each_record_and_the_seqs_are_continuous()
    {
        await CreateJournalAsync();

        var seqs = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var result = await Tool.RunAsync("journal", "append", JournalPath, "--type", "deploy.step", "--job", "web-42", "--data", $"{{\"step\":{i}}}");
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Empty(result.Stderr);
            seqs.Add(result.Stdout.Trim());
        }

        Assert.Equal(["1", "2", "3"], seqs);
        var records = await ReadAllAsync();
        Assert.Equal("deploy.step", records[2].Type);
        Assert.Equal("web-42", records[2].Job);
        Assert.Equal(2, records[2].Data!.Value.GetProperty("step").GetInt32());
    }

    [Fact]
    public async Task Show_filters_by_type_and_job_and_its_json_lines_are_the_stored_records()
    {
        await AppendAsync(new("job.started", "a"), new("job.started", "b"), new("job.completed", "a"), new("deploy.done"));

        var byType = await Tool.RunAsync("journal", "show", JournalPath, "--type", "job.started", "--json");
        var byJob = await Tool.RunAsync("journal", "show", JournalPath, "--job", "a");
        var byPrefix = await Tool.RunAsync("journal", "show", JournalPath, "--type", "job.*");

        Assert.True(byType.ExitCode == 0, byType.ToString());
        var stored = await ReadAllAsync();
        Assert.Equal([Enveloped(stored[0].ToJson()), Enveloped(stored[1].ToJson())], byType.StdoutLines);
        foreach (var line in byType.StdoutLines)
        {
            using var document = JsonDocument.Parse(line);
            Assert.Equal("job.started", document.RootElement.GetProperty("type").GetString());
        }

        Assert.Equal(2, byJob.StdoutLines.Length);
        Assert.StartsWith("#1 ", byJob.StdoutLines[0], StringComparison.Ordinal);
        Assert.Contains("job.completed a", byJob.StdoutLines[1], StringComparison.Ordinal);
        Assert.Equal(3, byPrefix.StdoutLines.Length);
    }

    [Fact]
    public async Task Show_filters_by_time_given_as_a_duration_ago_or_an_rfc3339_time()
    {
        await AppendAsync(new("a.one"), new("a.two"));

        var lastHour = await Tool.RunAsync("journal", "show", JournalPath, "--since", "1h");
        var beforeAll = await Tool.RunAsync("journal", "show", JournalPath, "--until", "2000-01-01T00:00:00Z");
        var afterAll = await Tool.RunAsync("journal", "show", JournalPath, "--since", "2999-01-01T00:00:00+01:00");

        Assert.True(lastHour.ExitCode == 0, lastHour.ToString());
        Assert.Equal(2, lastHour.StdoutLines.Length);
        Assert.True(beforeAll.ExitCode == 0, beforeAll.ToString());
        Assert.Empty(beforeAll.Stdout);
        Assert.Empty(afterAll.Stdout);
    }

    [Fact]
    public async Task Tail_prints_the_last_n_records()
    {
        await AppendAsync(new("t.one"), new("t.two"), new("t.three"), new("t.four"));

        var result = await Tool.RunAsync("journal", "tail", JournalPath, "-n", "2");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(2, result.StdoutLines.Length);
        Assert.Contains("t.three", result.StdoutLines[0], StringComparison.Ordinal);
        Assert.Contains("t.four", result.StdoutLines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tail_follow_prints_a_record_appended_after_it_started_and_exits_130_when_interrupted()
    {
        await AppendAsync(new JournalEntry("before.follow"));
        using var interruption = new Interruption();
        var (tail, console) = Tool.Start(["journal", "tail", JournalPath, "-n", "1", "--follow", "--json"], interruption);
        await Tool.EventuallyAsync(() => console.Stdout.Contains("before.follow", StringComparison.Ordinal), "tail printed the existing record");

        await AppendAsync(new JournalEntry("after.follow", "j1"));
        await Tool.EventuallyAsync(() => console.Stdout.Contains("after.follow", StringComparison.Ordinal), "tail printed the new record");
        interruption.Request();
        var exitCode = await tail.WaitAsync(Tool.Hang);

        Assert.Equal(130, exitCode);
        var lines = console.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        using var document = JsonDocument.Parse(lines[1]);
        Assert.Equal(2, document.RootElement.GetProperty("seq").GetInt32());
    }

    [Fact]
    public async Task Verify_exits_0_on_a_good_journal_and_1_after_a_byte_in_a_middle_record_is_flipped()
    {
        await AppendAsync(new("v.one"), new("v.two"), new("v.three"));

        var good = await Tool.RunAsync("journal", "verify", JournalPath);
        FlipByteInLine(2);
        var bad = await Tool.RunAsync("journal", "verify", JournalPath);

        Assert.True(good.ExitCode == 0, good.ToString());
        Assert.StartsWith("valid: 3 records", good.Stdout, StringComparison.Ordinal);
        Assert.True(bad.ExitCode == 1, bad.ToString());
        Assert.StartsWith("INVALID", bad.Stdout, StringComparison.Ordinal);
        Assert.Contains("BadChecksum in 00000000000000000001.jsonl", bad.Stdout, StringComparison.Ordinal);
        Assert.Contains("has 1 problem (listed on stdout)", bad.SingleErrorLine(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_stops_at_damage_in_the_middle_naming_where_it_is_and_tolerant_show_skips_it()
    {
        await AppendAsync(new("s.one"), new("s.two"), new("s.three"));
        FlipByteInLine(2);

        var strict = await Tool.RunAsync("journal", "show", JournalPath);
        var tolerant = await Tool.RunAsync("journal", "show", JournalPath, "--tolerant");

        Assert.True(strict.ExitCode == 1, strict.ToString());
        var error = strict.SingleErrorLine();
        Assert.Contains("00000000000000000001.jsonl at offset", error, StringComparison.Ordinal);
        Assert.Contains("--tolerant", error, StringComparison.Ordinal);
        Assert.True(tolerant.ExitCode == 0, tolerant.ToString());
        Assert.Equal(2, tolerant.StdoutLines.Length);
        Assert.StartsWith("tether: skipped damage: BadChecksum in 00000000000000000001.jsonl", tolerant.StderrLines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stats_reports_the_record_counts_per_type()
    {
        await AppendAsync(new("job.started", "a"), new("job.started", "b"), new("job.completed", "a"));

        var result = await Tool.RunAsync("journal", "stats", JournalPath);
        var json = await Tool.RunAsync("journal", "stats", JournalPath, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("records:   3", result.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"\s2\s+job\.started", result.Stdout);
        Assert.Matches(@"\s1\s+job\.completed", result.Stdout);
        var root = json.Json();
        Assert.Equal(3, root.GetProperty("records").GetInt32());
        Assert.Equal(2, root.GetProperty("records_by_type").GetProperty("job.started").GetInt32());
    }

    [Fact]
    public async Task Prune_by_max_segments_deletes_the_oldest_segments_and_keeps_the_rest_readable()
    {
        var options = new JournalOptions { SegmentMaxBytes = 4096 };
        var journal = await Journal.OpenAsync(JournalPath, options);
        await using (journal)
        {
            for (var i = 0; i < 10; i++)
            {
                await journal.AppendAsync(new JournalEntry("p.record", data: new JsonObject { ["padding"] = new string('x', 1500) }));
            }
        }

        var before = new JournalReader(JournalPath).ListSegments();
        Assert.True(before.Count > 3, $"expected several segments, got {before.Count}");

        var result = await Tool.RunAsync("journal", "prune", JournalPath, "--max-segments", "2");

        Assert.True(result.ExitCode == 0, result.ToString());
        var after = new JournalReader(JournalPath).ListSegments();
        Assert.Equal(2, after.Count);
        Assert.Equal(before[^1].Name, after[^1].Name);
        Assert.Contains($"deleted {before.Count - 2} segments", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, (await Tool.RunAsync("journal", "verify", JournalPath)).ExitCode);
    }

    [Theory]
    [InlineData("append", "--type", "Bad Type")]
    [InlineData("append", "--type", "journal.mine")]
    [InlineData("append", "--type", "ok.type", "--data", "{not json")]
    [InlineData("append", "--type", "ok.type", "--data", "[1,2]")]
    [InlineData("append")]
    [InlineData("show", "--since", "yesterday")]
    [InlineData("show", "--until", "2025-11-22")]
    [InlineData("tail", "-n", "-3")]
    [InlineData("tail", "-n", "ten")]
    [InlineData("prune")]
    [InlineData("prune", "--max-bytes", "12X")]
    [InlineData("prune", "--max-segments", "0")]
    [InlineData("prune", "--max-age", "soon")]
    public async Task Bad_input_exits_2_with_one_line_saying_what_to_write(string verb, params string[] options)
    {
        await CreateJournalAsync();

        var result = await Tool.RunAsync(["journal", verb, JournalPath, .. options]);

        Assert.True(result.ExitCode == 2, result.ToString());
        result.SingleErrorLine();
        Assert.Empty(result.Stdout);
    }

    [Theory]
    [InlineData("append", "--type", "a.b")]
    [InlineData("show")]
    [InlineData("tail")]
    [InlineData("verify")]
    [InlineData("stats")]
    [InlineData("prune", "--max-segments", "1")]
    public async Task A_path_without_a_journal_exits_1_and_creates_nothing(string verb, params string[] options)
    {
        var missing = _temp.Child("no-such-journal");
        var empty = _temp.Child("empty");
        Directory.CreateDirectory(empty);

        var absent = await Tool.RunAsync(["journal", verb, missing, .. options]);
        var notAJournal = await Tool.RunAsync(["journal", verb, empty, .. options]);

        Assert.True(absent.ExitCode == 1, absent.ToString());
        Assert.Contains("does not exist", absent.SingleErrorLine(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(missing));
        Assert.True(notAJournal.ExitCode == 1, notAJournal.ToString());
        Assert.Contains("is not a journal", notAJournal.SingleErrorLine(), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(empty));
    }

    [Theory]
    [InlineData("append", "tether journal append DIR --type TYPE")]
    [InlineData("show", "--since TIME")]
    [InlineData("tail", "130")]
    [InlineData("verify", "Exit codes")]
    [InlineData("stats", "records per type")]
    [InlineData("prune", "--max-segments")]
    public async Task Each_journal_verb_has_help_with_its_usage_and_notes(string verb, string expected)
    {
        var result = await Tool.RunAsync("journal", verb, "--help");
        var overview = await Tool.RunAsync("journal", "--help");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"tether journal {verb} ", result.Stdout, StringComparison.Ordinal);
        Assert.Contains(expected, result.Stdout, StringComparison.Ordinal);
        Assert.Contains(verb, overview.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Journal_without_a_verb_exits_2_naming_the_verbs()
    {
        var result = await Tool.RunAsync("journal");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("append, show, tail, verify, stats, prune", result.SingleErrorLine(), StringComparison.Ordinal);
    }

    private async Task CreateJournalAsync()
    {
        var journal = await Journal.OpenAsync(JournalPath);
        await journal.DisposeAsync();
    }

    private async Task AppendAsync(params JournalEntry[] entries)
    {
        var journal = await Journal.OpenAsync(JournalPath);
        await using (journal)
        {
            foreach (var entry in entries)
            {
                await journal.AppendAsync(entry);
            }
        }
    }

    private Task<List<JournalRecord>> ReadAllAsync() => JournalFiles.ReadAllAsync(JournalPath);

    private void FlipByteInLine(int lineNumber) => JournalFiles.FlipByteInLine(JournalPath, lineNumber);

    /// <summary>A stored record line as --json prints it: the same bytes with json_version put first.</summary>
    private static string Enveloped(string stored) => "{\"json_version\":1," + stored[1..];
}
