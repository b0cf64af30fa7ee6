using Tether.Cli.Tests.Infrastructure;
using Tether.Journaling;

namespace Tether.Cli.Tests;

/// <summary><c>tether run --journal DIR</c> records the run's life as job records and still mirrors the program.</summary>
public sealed class RunJournalSpecs : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string JournalPath => _temp.Child("journal");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_run_that_exits_3_is_journaled_as_submitted_started_command_and_failed_and_tether_still_exits_3()
    {
        var result = await Tool.RunAsync(Dummy.Run(["--journal", JournalPath, "--job", "build-7"], "exit", "3", "--verbose"));

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Empty(result.Stderr);
        var records = await ReadAllAsync();
        Assert.Equal(["job.submitted", "job.started", "job.command", "job.failed"], records.Select(r => r.Type));
        Assert.All(records, r => Assert.Equal("build-7", r.Job));
        var command = records[2].Data!.Value;
        Assert.Equal(Dummy.Path, command.GetProperty("program").GetString());
        Assert.Equal(["exit", "3", "--verbose"], command.GetProperty("args").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(3, command.GetProperty("exit_code").GetInt32());
        Assert.True(command.TryGetProperty("duration_ms", out _));
        Assert.False(command.TryGetProperty("stdout", out var stdout) && stdout.ValueKind != System.Text.Json.JsonValueKind.Null);
        Assert.Equal(3, records[3].Data!.Value.GetProperty("exit_code").GetInt32());
    }

    [Fact]
    public async Task A_run_that_exits_0_is_journaled_as_completed_under_a_generated_job_id()
    {
        var result = await Tool.RunAsync(Dummy.Run(["--journal", JournalPath], "print", "hello"));

        Assert.True(result.ExitCode == 0, result.ToString());
        var records = await ReadAllAsync();
        Assert.Equal("job.completed", records[^1].Type);
        Assert.StartsWith("run-", records[0].Job, StringComparison.Ordinal);
        Assert.Single(records.Select(r => r.Job).Distinct());
        Assert.DoesNotContain(records, r => r.ToJson().Contains("hello\\n", StringComparison.Ordinal) && r.Type == "job.command" && r.ToJson().Contains("stdout", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_run_that_times_out_is_journaled_as_timed_out_and_exits_124()
    {
        var result = await Tool.RunAsync(Dummy.Run(["--journal", JournalPath, "--timeout", "1s"], "sleep", "600000"));

        Assert.True(result.ExitCode == 124, result.ToString());
        var records = await ReadAllAsync();
        var end = records[^1];
        Assert.Equal("job.timed_out", end.Type);
        Assert.Equal(1000, end.Data!.Value.GetProperty("timeout_ms").GetInt64());
    }

    [Fact]
    public async Task A_program_that_is_not_found_is_journaled_as_failed_and_exits_127()
    {
        var result = await Tool.RunAsync("run", "--journal", JournalPath, "--", "tether-spec-no-such-program");

        Assert.True(result.ExitCode == 127, result.ToString());
        var end = (await ReadAllAsync())[^1];
        Assert.Equal("job.failed", end.Type);
        Assert.Contains("was not found", end.Data!.Value.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_journal_where_no_file_can_be_created_names_that_cause_not_a_missing_file()
    {
        // /proc accepts no new files; .NET reports that as "Could not find file", which names the wrong cause.
        var marker = _temp.Child("ran");

        var result = await Tool.RunAsync("run", "--journal", "/proc/tether-spec-journal", "--", "/bin/sh", "-c", $"touch '{marker}'");

        Assert.True(result.ExitCode == 1, result.ToString());
        var line = result.SingleErrorLine();
        Assert.Contains("--journal: cannot open a journal at '/proc/tether-spec-journal': it accepts no new files", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Could not find", line, StringComparison.Ordinal);
        Assert.False(File.Exists(marker), "nothing may run when the journal cannot be opened");
    }

    [Fact]
    public async Task A_journal_that_cannot_be_opened_fails_with_exit_1_before_anything_runs()
    {
        var file = _temp.Child("a-file");
        await File.WriteAllTextAsync(file, "not a directory");
        var marker = _temp.Child("ran");

        var result = await Tool.RunAsync("run", "--journal", file, "--", "/bin/sh", "-c", $"touch '{marker}'");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("--journal: cannot open a journal", result.SingleErrorLine(), StringComparison.Ordinal);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public async Task A_job_id_without_a_journal_is_a_usage_error()
    {
        var result = await Tool.RunAsync(Dummy.Run(["--job", "x"], "exit", "0"));

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("--job", result.SingleErrorLine(), StringComparison.Ordinal);
    }

    private async Task<List<JournalRecord>> ReadAllAsync()
    {
        var records = new List<JournalRecord>();
        await foreach (var record in new JournalReader(JournalPath).ReadAsync())
        {
            records.Add(record);
        }

        return records;
    }
}
