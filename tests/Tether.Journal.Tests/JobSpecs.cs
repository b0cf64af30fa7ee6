using System.Text.Json.Nodes;

namespace Tether.Journaling.Tests;

public sealed class JobSpecs
{
    [Fact]
    public async Task A_jobs_life_is_recorded_with_one_type_per_step()
    {
        using var temp = new TempJournal();
        await using var journal = await temp.OpenAsync();
        var jobs = new JobJournal(journal);

        await jobs.SubmittedAsync("build", new JsonObject { ["by"] = "ci" });
        await jobs.ValidatedAsync("build");
        await jobs.StartedAsync("build");
        await jobs.CompletedAsync("build", exitCode: 0);
        await jobs.StartedAsync("deploy");
        await jobs.FailedAsync("deploy", "connection refused", exitCode: 7);
        await jobs.RolledBackAsync("deploy", "deploy failed");
        await jobs.StartedAsync("test");
        await jobs.TimedOutAsync("test", TimeSpan.FromSeconds(90));
        await jobs.StartedAsync("lint");
        await jobs.CancelledAsync("lint", "user pressed ^C");

        var records = await journal.Reader.ReadAsync().ToListAsync();
        Assert.Equal(
            ["job.submitted", "job.validated", "job.started", "job.completed", "job.started", "job.failed", "job.rolled_back", "job.started", "job.timed_out", "job.started", "job.cancelled"],
            records.Select(r => r.Type));
        Assert.Equal("ci", records[0].Data!.Value.GetProperty("by").GetString());
        Assert.Equal(Environment.ProcessId, records[2].Data!.Value.GetProperty("writer").GetProperty("pid").GetInt32());
        Assert.Equal(0, records[3].Data!.Value.GetProperty("exit_code").GetInt32());
        Assert.Equal("connection refused", records[5].Data!.Value.GetProperty("error").GetString());
        Assert.Equal(90_000, records[8].Data!.Value.GetProperty("timeout_ms").GetInt64());
        Assert.Equal("user pressed ^C", records[10].Data!.Value.GetProperty("reason").GetString());
        Assert.All(records, r => Assert.NotNull(r.Job));
    }

    [Fact]
    public async Task Caller_data_cannot_overwrite_the_fields_the_journal_sets()
    {
        using var temp = new TempJournal();
        await using var journal = await temp.OpenAsync();

        var error = await Assert.ThrowsAsync<ArgumentException>(
            () => new JobJournal(journal).FailedAsync("j", "boom", data: new JsonObject { ["error"] = "other" }));

        Assert.Contains("'error'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reconciling_marks_every_job_started_and_never_ended_by_a_dead_writer_as_abandoned()
    {
        // Arrange: jobs started by writers that are gone (no identity, a pid that does not exist, an earlier boot).
        using var temp = new TempJournal();
        await using var journal = await temp.OpenAsync();
        var jobs = new JobJournal(journal);
        await journal.AppendAsync(new JournalEntry(JobRecordTypes.Started, "no-identity"));
        await journal.AppendAsync(new JournalEntry(JobRecordTypes.Started, "dead-pid", Writer(int.MaxValue - 1, 1, CurrentBootId())));
        await journal.AppendAsync(new JournalEntry(JobRecordTypes.Started, "old-boot", Writer(Environment.ProcessId, 1, "00000000-0000-0000-0000-000000000000")));
        await journal.AppendAsync(new JournalEntry(JobRecordTypes.Started, "finished", Writer(int.MaxValue - 1, 1, CurrentBootId())));
        await jobs.CompletedAsync("finished");

        // Act
        var report = await jobs.ReconcileAsync();

        // Assert
        Assert.Equal(["no-identity", "dead-pid", "old-boot"], report.Abandoned.Select(a => a.Job));
        Assert.Equal([1ul, 2, 3], report.Abandoned.Select(a => a.StartedSeq));
        Assert.Contains("restarted", report.Abandoned[2].Reason, StringComparison.Ordinal);
        var written = await journal.Reader.ReadAsync(new JournalQuery { Types = [JobRecordTypes.Abandoned] }).ToListAsync();
        Assert.Equal(report.Abandoned.Select(a => a.AbandonedSeq), written.Select(r => r.Seq));
        Assert.Equal(2ul, written[1].Data!.Value.GetProperty("started_seq").GetUInt64());
    }

    [Fact]
    public async Task Reconciling_leaves_jobs_of_a_live_writer_alone_and_marks_nothing_twice()
    {
        using var temp = new TempJournal();
        await using var journal = await temp.OpenAsync();
        var jobs = new JobJournal(journal);
        await jobs.StartedAsync("mine"); // this process is alive
        await journal.AppendAsync(new JournalEntry(JobRecordTypes.Started, "orphan"));

        var first = await jobs.ReconcileAsync();
        var second = await jobs.ReconcileAsync();

        Assert.Equal("orphan", Assert.Single(first.Abandoned).Job);
        Assert.Equal("mine", Assert.Single(first.StillRunning).Job);
        Assert.Empty(second.Abandoned);
        Assert.Single(await journal.Reader.ReadAsync(new JournalQuery { Types = [JobRecordTypes.Abandoned] }).ToListAsync());
    }

    [Fact]
    public async Task A_job_whose_writer_process_was_killed_is_abandoned()
    {
        // Arrange: a real process starts a job and is SIGKILLed.
        using var temp = new TempJournal();
        await (await temp.OpenAsync()).DisposeAsync();
        using (var writer = CrashWriterProcess.Start("job", temp.Path, "nightly"))
        {
            await writer.WaitForLinesAsync(l => l.StartsWith("started ", StringComparison.Ordinal));
            await writer.KillAsync();
        }

        await using var journal = await temp.OpenAsync();

        // Act
        var report = await new JobJournal(journal).ReconcileAsync();

        // Assert
        var abandoned = Assert.Single(report.Abandoned);
        Assert.Equal("nightly", abandoned.Job);
        Assert.Contains("is gone", abandoned.Reason, StringComparison.Ordinal);
    }

    private static JsonObject Writer(int pid, ulong start, string boot) =>
        new() { ["writer"] = new JsonObject { ["pid"] = pid, ["start_ticks"] = start, ["boot_id"] = boot } };

    private static string CurrentBootId() => File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim();
}
