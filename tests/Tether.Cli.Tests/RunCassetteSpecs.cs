using System.Text;
using System.Text.Json;
using Tether.Cli.Tests.Infrastructure;
using Tether.Journaling;

namespace Tether.Cli.Tests;

/// <summary>
/// <c>tether run --cassette FILE [--mode …]</c> records a run to a cassette and replays it from there without
/// spawning anything; a bad or missing cassette fails with exit 1 and one line, and is never written over.
/// </summary>
public sealed class RunCassetteSpecs : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string CassettePath => _temp.Child("cassette.json");

    private string Marker => _temp.Child("marker");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task I_can_record_a_run_and_replay_it_with_the_same_output_and_exit_code_without_running_the_program()
    {
        var recorded = await Tool.RunAsync(["run", "--cassette", CassettePath, .. MarkerRun("out", "err", 3)]);
        Assert.True(recorded.ExitCode == 3, recorded.ToString());
        Assert.True(File.Exists(Marker), "the recording ran the program");
        Assert.True(File.Exists(CassettePath), "the recording was saved");
        File.Delete(Marker);

        var replayed = await Tool.RunAsync(["run", "--cassette", CassettePath, .. MarkerRun("out", "err", 3)]);

        Assert.True(replayed.ExitCode == 3, replayed.ToString());
        Assert.Equal("out\n", replayed.Stdout);
        Assert.Equal("err\n", replayed.Stderr);
        Assert.Equal(recorded.Stdout, replayed.Stdout);
        Assert.Equal(recorded.Stderr, replayed.Stderr);
        Assert.False(File.Exists(Marker), "the replay must not run the program");
    }

    [Fact]
    public async Task A_replayed_run_reports_mechanism_none_and_no_pid_in_its_json()
    {
        await Tool.RunAsync(Dummy.Run(["--cassette", CassettePath], "exit", "5"));

        var result = await Tool.RunAsync(Dummy.Run(["--cassette", CassettePath, "--mode", "replay", "--json"], "exit", "5"));

        Assert.True(result.ExitCode == 5, result.ToString());
        var json = result.Json();
        Assert.Equal("exited", json.GetProperty("outcome").GetString());
        Assert.Equal(5, json.GetProperty("exit_code").GetInt32());
        Assert.Equal("none", json.GetProperty("mechanism").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("pid").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("cpu_ms").ValueKind);
        Assert.Equal(5, json.GetProperty("tether_exit_code").GetInt32());
    }

    [Fact]
    public async Task A_recording_run_reports_the_real_process_in_its_json()
    {
        var result = await Tool.RunAsync(Dummy.Run(["--cassette", CassettePath, "--json"], "print", "hello"));

        Assert.True(result.ExitCode == 0, result.ToString());
        var json = result.Json();
        Assert.Contains(json.GetProperty("mechanism").GetString(), new[] { "cgroup", "process-group" });
        Assert.True(json.GetProperty("pid").GetInt32() > 0);
        Assert.Equal(["hello", result.StdoutLines[^1]], result.StdoutLines);
    }

    [Fact]
    public async Task Replay_mode_answers_from_the_cassette()
    {
        await Tool.RunAsync(["run", "--cassette", CassettePath, .. MarkerRun("out", "", 0)]);
        File.Delete(Marker);

        var result = await Tool.RunAsync(["run", "--cassette", CassettePath, "--mode", "replay", .. MarkerRun("out", "", 0)]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("out\n", result.Stdout);
        Assert.False(File.Exists(Marker), "the replay must not run the program");
    }

    [Fact]
    public async Task Replay_mode_with_a_missing_cassette_exits_1_runs_nothing_and_creates_no_file()
    {
        var result = await Tool.RunAsync(["run", "--cassette", CassettePath, "--mode", "replay", .. MarkerRun("out", "", 0)]);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("does not exist", result.SingleErrorLine(), StringComparison.Ordinal);
        Assert.False(File.Exists(Marker));
        Assert.False(File.Exists(CassettePath));
    }

    [Theory]
    [InlineData("replay")]
    [InlineData("once")]
    public async Task A_run_the_cassette_does_not_hold_exits_1_with_the_miss_and_runs_nothing(string mode)
    {
        await Tool.RunAsync(Dummy.Run(["--cassette", CassettePath], "print", "recorded"));
        var before = await File.ReadAllBytesAsync(CassettePath);

        var result = await Tool.RunAsync(["run", "--cassette", CassettePath, "--mode", mode, .. MarkerRun("other", "", 0)]);

        Assert.True(result.ExitCode == 1, result.ToString());
        var line = result.SingleErrorLine();
        Assert.Contains($"the cassette '{CassettePath}' has no recording of /bin/sh", line, StringComparison.Ordinal);
        Assert.Contains("Nothing was run.", line, StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
        Assert.False(File.Exists(Marker), "a miss must not run the program");
        Assert.Equal(before, await File.ReadAllBytesAsync(CassettePath));
    }

    [Fact]
    public async Task A_miss_with_json_is_reported_as_not_started()
    {
        await Tool.RunAsync(Dummy.Run(["--cassette", CassettePath], "print", "recorded"));

        var result = await Tool.RunAsync(Dummy.Run(["--cassette", CassettePath, "--json"], "print", "not recorded"));

        Assert.True(result.ExitCode == 1, result.ToString());
        var json = result.Json();
        Assert.Equal("not_started", json.GetProperty("outcome").GetString());
        Assert.Contains("has no recording of", json.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Record_mode_runs_again_even_when_the_cassette_holds_the_run_and_replaces_the_recording()
    {
        var log = _temp.Child("log");
        string[] counting = ["run", "--cassette", CassettePath, "--mode", "record", "--", "/bin/sh", "-c", $"echo x >> '{log}'; wc -l < '{log}'"];

        var first = await Tool.RunAsync(counting);
        var second = await Tool.RunAsync(counting);
        var replayed = await Tool.RunAsync(["run", "--cassette", CassettePath, "--mode", "replay", .. counting[5..]]);

        Assert.True(first.ExitCode == 0 && second.ExitCode == 0, second.ToString());
        Assert.Equal(2, (await File.ReadAllLinesAsync(log)).Length);
        Assert.Equal("2", second.Stdout.Trim());
        Assert.Equal("2", replayed.Stdout.Trim());
        Assert.Equal(2, (await File.ReadAllLinesAsync(log)).Length);
        using var document = JsonDocument.Parse(await File.ReadAllBytesAsync(CassettePath));
        Assert.Single(document.RootElement.GetProperty("entries").EnumerateArray());
    }

    [Fact]
    public async Task New_episodes_mode_replays_what_the_cassette_holds_and_records_what_it_lacks()
    {
        var other = _temp.Child("other-marker");
        await Tool.RunAsync(["run", "--cassette", CassettePath, .. MarkerRun("first", "", 0)]);
        File.Delete(Marker);

        var known = await Tool.RunAsync(["run", "--cassette", CassettePath, "--mode", "new-episodes", .. MarkerRun("first", "", 0)]);
        var unknown = await Tool.RunAsync(["run", "--cassette", CassettePath, "--mode", "new-episodes", "--", "/bin/sh", "-c", $"echo second; touch '{other}'"]);
        File.Delete(other);
        var replayed = await Tool.RunAsync(["run", "--cassette", CassettePath, "--mode", "replay", "--", "/bin/sh", "-c", $"echo second; touch '{other}'"]);

        Assert.True(known.ExitCode == 0, known.ToString());
        Assert.Equal("first\n", known.Stdout);
        Assert.False(File.Exists(Marker), "a run the cassette holds is replayed, not run");
        Assert.True(unknown.ExitCode == 0, unknown.ToString());
        Assert.Equal("second\n", unknown.Stdout);
        Assert.True(replayed.ExitCode == 0, replayed.ToString());
        Assert.Equal("second\n", replayed.Stdout);
        Assert.False(File.Exists(other), "the added recording is replayed, not run");
        using var document = JsonDocument.Parse(await File.ReadAllBytesAsync(CassettePath));
        Assert.Equal(2, document.RootElement.GetProperty("entries").GetArrayLength());
    }

    [Fact]
    public async Task A_replay_that_only_replays_leaves_the_cassette_file_untouched()
    {
        await Tool.RunAsync(Dummy.Run(["--cassette", CassettePath], "print", "hello"));
        var before = await File.ReadAllBytesAsync(CassettePath);
        var written = File.GetLastWriteTimeUtc(CassettePath);
        File.SetLastWriteTimeUtc(CassettePath, written.AddHours(-1));

        foreach (var mode in new[] { "once", "replay", "new-episodes" })
        {
            var result = await Tool.RunAsync(Dummy.Run(["--cassette", CassettePath, "--mode", mode], "print", "hello"));
            Assert.True(result.ExitCode == 0, result.ToString());
        }

        Assert.Equal(before, await File.ReadAllBytesAsync(CassettePath));
        Assert.Equal(written.AddHours(-1), File.GetLastWriteTimeUtc(CassettePath));
    }

    [Fact]
    public async Task A_timeout_is_recorded_and_replays_as_exit_124_without_waiting()
    {
        var recorded = await Tool.RunAsync(Dummy.Run(["--cassette", CassettePath, "--timeout", "1s"], "sleep", "600000"));

        var replayed = await Tool.RunAsync(Dummy.Run(["--cassette", CassettePath, "--mode", "replay", "--json"], "sleep", "600000"));

        Assert.True(recorded.ExitCode == 124, recorded.ToString());
        Assert.True(replayed.ExitCode == 124, replayed.ToString());
        Assert.Equal("timed_out", replayed.Json().GetProperty("outcome").GetString());
        Assert.Contains("replayed from the cassette", replayed.SingleErrorLine(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_killed_by_a_signal_is_recorded_and_replays_as_128_plus_the_signal()
    {
        string[] killed = ["--", "/bin/sh", "-c", $"echo dying; touch '{Marker}'; kill -KILL $$"];
        var recorded = await Tool.RunAsync(["run", "--cassette", CassettePath, .. killed]);
        File.Delete(Marker);

        var replayed = await Tool.RunAsync(["run", "--cassette", CassettePath, "--json", .. killed]);

        Assert.True(recorded.ExitCode == 137, recorded.ToString());
        Assert.True(replayed.ExitCode == 137, replayed.ToString());
        Assert.Equal("SIGKILL", replayed.Json().GetProperty("signal").GetString());
        Assert.Equal("dying", replayed.StdoutLines[0]);
        Assert.False(File.Exists(Marker));
    }

    [Fact]
    public async Task A_program_that_cannot_start_records_nothing()
    {
        var result = await Tool.RunAsync("run", "--cassette", CassettePath, "--", "tether-spec-no-such-program");

        Assert.True(result.ExitCode == 127, result.ToString());
        Assert.False(File.Exists(CassettePath));
    }

    [Fact]
    public async Task An_interrupted_run_records_nothing()
    {
        using var interruption = new Interruption();
        var (run, console) = Tool.Start(Dummy.Run(["--cassette", CassettePath], "count-signal", "10"), interruption);
        await Tool.EventuallyAsync(() => console.Stdout.Contains("ready", StringComparison.Ordinal), "the program is ready");

        interruption.Request();
        var exitCode = await run.WaitAsync(Tool.Hang);

        Assert.Equal(130, exitCode);
        Assert.False(File.Exists(CassettePath));
    }

    [Fact]
    public async Task Under_a_cassette_the_program_reads_an_empty_stdin_even_when_tether_has_input()
    {
        using var input = new MemoryStream(Encoding.UTF8.GetBytes("piped input\n"));

        var recorded = await Tool.RunAsync(Dummy.Run(["--cassette", CassettePath], "count-stdin"), input);
        var replayed = await Tool.RunAsync(Dummy.Run(["--cassette", CassettePath, "--mode", "replay"], "count-stdin"), stdin: null);

        Assert.True(recorded.ExitCode == 0, recorded.ToString());
        Assert.Equal("0", recorded.Stdout.Trim());
        Assert.True(replayed.ExitCode == 0, replayed.ToString());
        Assert.Equal("0", replayed.Stdout.Trim());
    }

    [Fact]
    public async Task A_replay_does_not_need_the_recorded_working_directory_to_exist()
    {
        var directory = _temp.Child("work");
        Directory.CreateDirectory(directory);
        await Tool.RunAsync(Dummy.Run(["--cassette", CassettePath, "--cwd", directory], "print", "here"));
        Directory.Delete(directory);

        var result = await Tool.RunAsync(Dummy.Run(["--cassette", CassettePath, "--cwd", directory], "print", "here"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("here\n", result.Stdout);
    }

    [Fact]
    public async Task A_replayed_run_is_journaled_like_any_other()
    {
        var journalPath = _temp.Child("journal");
        await Tool.RunAsync(Dummy.Run(["--cassette", CassettePath], "exit", "4"));

        var result = await Tool.RunAsync(Dummy.Run(["--cassette", CassettePath, "--journal", journalPath, "--job", "replayed"], "exit", "4"));

        Assert.True(result.ExitCode == 4, result.ToString());
        var records = new List<JournalRecord>();
        await foreach (var record in new JournalReader(journalPath).ReadAsync())
        {
            records.Add(record);
        }

        Assert.Equal(["job.submitted", "job.started", "job.command", "job.failed"], records.Select(r => r.Type));
        Assert.All(records, r => Assert.Equal("replayed", r.Job));
        Assert.Equal(4, records[2].Data!.Value.GetProperty("exit_code").GetInt32());
    }

    [Theory]
    [InlineData("once")]
    [InlineData("replay")]
    [InlineData("record")]
    [InlineData("new-episodes")]
    public async Task An_invalid_cassette_exits_1_with_the_reason_runs_nothing_and_is_left_byte_for_byte(string mode)
    {
        var content = Encoding.UTF8.GetBytes("{\"version\": 1, \"entries\": [ {\"program\": ");
        await File.WriteAllBytesAsync(CassettePath, content);

        var result = await Tool.RunAsync(["run", "--cassette", CassettePath, "--mode", mode, .. MarkerRun("out", "", 0)]);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains($"cassette '{CassettePath}' is not valid JSON", result.SingleErrorLine(), StringComparison.Ordinal);
        Assert.False(File.Exists(Marker), "nothing may run with a bad cassette");
        Assert.Equal(content, await File.ReadAllBytesAsync(CassettePath));
    }

    [Fact]
    public async Task A_cassette_of_another_version_is_refused_and_left_as_it_was()
    {
        const string Newer = """{"version": 5, "entries": []}""";
        await File.WriteAllTextAsync(CassettePath, Newer);

        var result = await Tool.RunAsync(Dummy.Run(["--cassette", CassettePath], "print", "x"));

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("version 5 is not supported", result.SingleErrorLine(), StringComparison.Ordinal);
        Assert.Equal(Newer, await File.ReadAllTextAsync(CassettePath));
    }

    [Fact]
    public async Task A_cassette_in_a_directory_that_does_not_exist_exits_1_before_anything_runs()
    {
        var result = await Tool.RunAsync(["run", "--cassette", _temp.Child("missing/cassette.json"), .. MarkerRun("out", "", 0)]);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("does not exist", result.SingleErrorLine(), StringComparison.Ordinal);
        Assert.False(File.Exists(Marker));
    }

    [Fact]
    public async Task A_directory_given_as_the_cassette_exits_1_before_anything_runs()
    {
        var result = await Tool.RunAsync(["run", "--cassette", _temp.Path, .. MarkerRun("out", "", 0)]);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("is a directory", result.SingleErrorLine(), StringComparison.Ordinal);
        Assert.False(File.Exists(Marker));
    }

    [Fact]
    public async Task Output_too_large_for_a_cassette_is_still_streamed_but_not_recorded()
    {
        const long Bytes = (16L * 1024 * 1024) + 4096;

        var result = await Tool.RunAsync(Dummy.Run(["--cassette", CassettePath], "spew", "16781312"));

        Assert.True(result.ExitCode == 1, $"exit {result.ExitCode}, stderr: {result.Stderr}");
        Assert.Equal(Bytes, result.Stdout.Length);
        Assert.Contains("nothing was recorded", result.SingleErrorLine(), StringComparison.Ordinal);
        Assert.False(File.Exists(CassettePath));
    }

    [Theory]
    [InlineData(new[] { "run", "--mode", "replay", "--", "/bin/true" }, "--mode: it says how --cassette is used, so it needs --cassette FILE as well.")]
    [InlineData(new[] { "run", "--cassette", "c.json", "--mode", "sometimes", "--", "/bin/true" }, "--mode: 'sometimes' is not a cassette mode: write once, replay, record or new-episodes.")]
    [InlineData(new[] { "run", "--cassette", "", "--", "/bin/true" }, "--cassette: the file is empty")]
    public async Task A_wrong_cassette_option_exits_2_with_one_line(string[] args, string expected)
    {
        var result = await Tool.RunAsync(args);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(expected, result.SingleErrorLine(), StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
    }

    /// <summary><c>-- /bin/sh -c '…'</c> printing <paramref name="stdout"/> and <paramref name="stderr"/>, touching the marker, exiting with <paramref name="code"/>.</summary>
    private string[] MarkerRun(string stdout, string stderr, int code)
    {
        var script = $"echo {stdout}; " + (stderr.Length > 0 ? $"echo {stderr} >&2; " : "") + $"touch '{Marker}'; exit {code}";
        return ["--", "/bin/sh", "-c", script];
    }
}
