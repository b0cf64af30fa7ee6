using System.Text.Json;
using Tether.Cli.Tests.Infrastructure;
using Tether.Watch;

namespace Tether.Cli.Tests;

/// <summary><c>tether audit verify FILE… [--generations] [--json]</c> on audit logs written by <see cref="AuditLog"/> in temp directories.</summary>
public sealed class AuditCommandSpecs : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string LogPath => _temp.Child("audit.log");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_valid_log_prints_ok_with_its_rows_and_seq_range()
    {
        WriteLog(rows: 3);

        var result = await Tool.RunAsync("audit", "verify", LogPath);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal([$"{LogPath}: ok, 3 rows, seq 1–3"], result.StdoutLines);
        Assert.Empty(result.Stderr);
    }

    [Fact]
    public async Task An_edited_row_fails_with_one_line_naming_the_file_line_and_seq()
    {
        WriteLog(rows: 3);
        var lines = File.ReadAllLines(LogPath);
        lines[2] = lines[2].Replace("reason=debounced", "reason=debouncer", StringComparison.Ordinal);
        File.WriteAllLines(LogPath, lines);

        var result = await Tool.RunAsync("audit", "verify", LogPath);

        Assert.Equal(1, result.ExitCode);
        Assert.Empty(result.Stdout);
        var error = result.SingleErrorLine();
        Assert.StartsWith($"tether: audit verify: {LogPath} line 3 (seq 2): edited: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_removed_row_is_named_as_removed()
    {
        WriteLog(rows: 4);
        var lines = File.ReadAllLines(LogPath).ToList();
        lines.RemoveAt(2);
        File.WriteAllLines(LogPath, lines);

        var result = await Tool.RunAsync("audit", "verify", LogPath);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{LogPath} line 3 (seq 3): removed: seq 3 where 2 was expected", result.SingleErrorLine(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_torn_final_row_fails_as_torn()
    {
        WriteLog(rows: 2);
        File.AppendAllText(LogPath, "3\t2030-01-01");

        var result = await Tool.RunAsync("audit", "verify", LogPath);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("line 4: torn: the final row is incomplete (12 bytes without a line end)", result.SingleErrorLine(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_file_fails_saying_it_does_not_exist()
    {
        var missing = _temp.Child("nope.log");

        var result = await Tool.RunAsync("audit", "verify", missing);

        Assert.Equal(1, result.ExitCode);
        Assert.Empty(result.Stdout);
        Assert.StartsWith($"tether: audit verify: '{missing}' does not exist: check the path", result.SingleErrorLine(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotated_generations_verify_given_oldest_first_or_found_with_generations()
    {
        WriteRotated();
        string[] files = [.. AuditVerifier.FindGenerations(LogPath)];
        Assert.True(files.Length >= 3);

        var listed = await Tool.RunAsync(["audit", "verify", .. files]);
        var found = await Tool.RunAsync("audit", "verify", LogPath, "--generations");

        Assert.True(listed.ExitCode == 0, listed.ToString());
        Assert.Matches(@"^.+: ok, \d+ rows, seq \d+–\d+ \(continues seq \d+ of an earlier file, not checked\)$", listed.StdoutLines.Single());
        Assert.StartsWith(string.Join(' ', files) + ": ok, ", listed.Stdout, StringComparison.Ordinal);
        Assert.True(found.ExitCode == 0, found.ToString());
        Assert.Equal(listed.Stdout, found.Stdout);
    }

    [Fact]
    public async Task A_missing_middle_generation_fails_naming_the_file_that_no_longer_links()
    {
        WriteRotated();
        File.Delete(LogPath + ".2");

        var result = await Tool.RunAsync("audit", "verify", LogPath, "--generations");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{LogPath}.1 line 1: unlinked: ", result.SingleErrorLine(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_gives_one_document_for_a_valid_log()
    {
        WriteLog(rows: 2);

        var result = await Tool.RunAsync("audit", "verify", LogPath, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var json = Assert.Single(result.StdoutLines);
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        Assert.Equal([LogPath], root.GetProperty("files").EnumerateArray().Select(f => f.GetString()));
        Assert.True(root.GetProperty("valid").GetBoolean());
        Assert.Equal(2, root.GetProperty("rows").GetInt64());
        Assert.Equal(1UL, root.GetProperty("first_seq").GetUInt64());
        Assert.Equal(2UL, root.GetProperty("last_seq").GetUInt64());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("prev_seq").ValueKind);
        Assert.Matches("^[0-9a-f]{64}$", root.GetProperty("last_chain").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("problem").ValueKind);
    }

    [Fact]
    public async Task Json_names_the_problem_and_the_error_still_goes_to_stderr()
    {
        WriteLog(rows: 3);
        var lines = File.ReadAllLines(LogPath);
        (lines[2], lines[3]) = (lines[3], lines[2]);
        File.WriteAllLines(LogPath, lines);

        var result = await Tool.RunAsync("audit", "verify", LogPath, "--json");

        Assert.Equal(1, result.ExitCode);
        var root = result.Json();
        Assert.False(root.GetProperty("valid").GetBoolean());
        Assert.Equal(1, root.GetProperty("rows").GetInt64());
        var problem = root.GetProperty("problem");
        Assert.Equal("reordered", problem.GetProperty("kind").GetString());
        Assert.Equal(LogPath, problem.GetProperty("file").GetString());
        Assert.Equal(3, problem.GetProperty("line").GetInt64());
        Assert.Equal(3UL, problem.GetProperty("seq").GetUInt64());
        Assert.Contains("reordered", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("reordered", result.SingleErrorLine(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_for_a_missing_file_has_no_line()
    {
        var result = await Tool.RunAsync("audit", "verify", _temp.Child("nope.log"), "--json");

        Assert.Equal(1, result.ExitCode);
        var problem = result.Json().GetProperty("problem");
        Assert.Equal("missing", problem.GetProperty("kind").GetString());
        Assert.Equal(JsonValueKind.Null, problem.GetProperty("line").ValueKind);
    }

    [Fact]
    public async Task Generations_with_more_than_one_file_is_a_usage_error()
    {
        WriteLog(rows: 1);

        var result = await Tool.RunAsync("audit", "verify", LogPath, LogPath, "--generations");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--generations takes the live file alone", result.SingleErrorLine(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_without_a_file_is_a_usage_error()
    {
        var result = await Tool.RunAsync("audit", "verify");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("FILE", result.SingleErrorLine(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_never_changes_a_file_even_a_torn_one()
    {
        WriteLog(rows: 2);
        File.AppendAllText(LogPath, "3\t20");
        var before = File.ReadAllBytes(LogPath);

        await Tool.RunAsync("audit", "verify", LogPath);

        Assert.Equal(before, File.ReadAllBytes(LogPath));
    }

    [Fact]
    public async Task Help_shows_the_usage_the_exit_codes_and_examples()
    {
        var result = await Tool.RunAsync("audit", "verify", "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("tether audit verify FILE... [--generations] [--json]", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("Exit codes: 0 the log verified; 1 it did not, or a FILE does not exist; 2 a usage error.", result.Stdout, StringComparison.Ordinal);
    }

    private void WriteLog(int rows)
    {
        using var log = AuditLog.Open(LogPath);
        log.Boot("1.0", "spec");
        for (var i = 2; i <= rows; i++)
        {
            log.Refused(700, "debounced");
        }
    }

    private void WriteRotated()
    {
        using var log = AuditLog.Open(LogPath, new AuditOptions { MaxBytes = 1024, Generations = 3 });
        log.Boot("1.0", "spec");

        // Until rotation has deleted the log's first file: the oldest file kept then continues one that is gone.
        while (!File.Exists(LogPath + ".3") || !File.ReadLines(LogPath + ".3").First().Contains("prev-seq=", StringComparison.Ordinal))
        {
            log.Refused(700, "debounced", "a detail to fill the file faster");
        }

        log.Refused(700, "resumed");
    }
}
