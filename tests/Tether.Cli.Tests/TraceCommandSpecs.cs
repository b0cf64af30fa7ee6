using System.Globalization;
using Tether.Cli.Tests.Infrastructure;
using Tether.Lab;
using Tether.Watch;

namespace Tether.Cli.Tests;

/// <summary>
/// <c>tether trace</c> and <c>tether lab</c>, and <c>tether watch --trace</c>: a trace recorded from a real watch run with
/// beats, a stall and a recovery replays identically and explains the recovery; the verbs read, verify, compare and
/// export traces; damage and bad input are one clear line.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class TraceCommandSpecs : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_trace_recorded_by_a_real_watch_run_with_a_stall_and_a_recovery_replays_identically_and_explains_the_recovery()
    {
        // Arrange: a watcher recording its trace, with a recovery that appends the pid it was given to a file.
        var socket = _temp.Child("watch.sock");
        var trace = _temp.Child("watch.trace");
        var record = _temp.Child("recovered");
        using var interruption = new Interruption();
        var (run, console) = Tool.Start(
            ["watch", "--socket", socket, "--threshold", "300ms", "--json", "--trace", trace,
             "--recovery-exec", $"/bin/sh -c 'echo \"$1\" >> \"$2\"' recover {{pid}} '{record}'"],
            interruption);
        try
        {
            await Tool.EventuallyAsync(() => Path.Exists(socket), "the watcher listens");

            // Act: three beats, then silence until the recovery has run and ended.
            var beat = await Tool.RunAsync("beat", "--socket", socket, "--count", "3", "--every", "50ms");
            Assert.True(beat.ExitCode == 0, beat.ToString());
            await Tool.EventuallyAsync(() => console.Stdout.Contains("recovery_completed", StringComparison.Ordinal), "the recovery ends");
        }
        finally
        {
            interruption.Request();
        }

        Assert.Equal(0, await run.WaitAsync(Tool.Hang));

        // Assert: the one-line regression spec, and the tool's own replay and explanation.
        var result = TraceAssert.ReplaysIdentically(trace, new WatchTrace());
        Assert.True(result.Events >= 6, $"{result.Events} events");
        var pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        var inputs = TraceFile.Read(trace).Events(new WatchInputCodec()).Select(r => r.Input).ToList();
        Assert.Equal(3, inputs.OfType<WatchInput.Datagram>().Count());
        Assert.Single(inputs.OfType<WatchInput.FreshnessChecked>());
        Assert.Single(inputs.OfType<WatchInput.RecoveryEnded>());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(trace));

        var replay = await Tool.RunAsync("trace", "replay", trace);
        Assert.True(replay.ExitCode == 0, replay.ToString());
        Assert.Equal([$"{trace}: identical, {result.Events} events"], replay.StdoutLines);

        var explain = await Tool.RunAsync("trace", "explain", trace, "--pid", pid);
        Assert.True(explain.ExitCode == 0, explain.ToString());
        Assert.Contains($"pid {pid} was RECOVERED (recovery 1) because:", explain.Stdout, StringComparison.Ordinal);
        Assert.Contains("threshold 300ms", explain.Stdout, StringComparison.Ordinal);
        Assert.Contains($"recovery 1 of pid {pid} ended: exited", explain.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Info_events_verify_and_export_describe_a_trace()
    {
        var trace = _temp.Child("fixture.trace");
        await File.WriteAllBytesAsync(trace, TraceFixture.Bytes());

        var info = await Tool.RunAsync("trace", "info", trace);
        var events = await Tool.RunAsync("trace", "events", trace, "--from", "2", "--limit", "2");
        var verify = await Tool.RunAsync("trace", "verify", trace);
        var export = await Tool.RunAsync("trace", "export", trace, "--ndjson");

        Assert.True(info.ExitCode == 0, info.ToString());
        Assert.StartsWith($"{trace}: watch engine v1, configuration ", info.StdoutLines[0], StringComparison.Ordinal);
        Assert.Contains("8 events in", info.Stdout, StringComparison.Ordinal);
        Assert.Contains("complete: every chunk verified", info.Stdout, StringComparison.Ordinal);
        Assert.Equal(["#2 t=1200ms tick", "#3 t=1210ms freshness_checked recovery_id=1 start_time=99"], events.StdoutLines);
        Assert.Equal([$"{trace}: ok, 8 events in 3 chunks"], verify.StdoutLines);
        Assert.Equal(9, export.StdoutLines.Length);
        Assert.Contains("\"format\":\"tether-trace-ndjson\"", export.StdoutLines[0], StringComparison.Ordinal);
        Assert.Contains("\"input\":\"freshness_checked\"", export.StdoutLines[4], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_torn_trace_fails_verify_with_one_line_naming_where_it_stops_and_still_replays_what_was_recovered()
    {
        var bytes = TraceFixture.Bytes();
        var last = TraceFile.Parse(bytes).Chunks[^1];
        var trace = _temp.Child("torn.trace");
        await File.WriteAllBytesAsync(trace, bytes[..(int)(last.Offset + 10)]);

        var verify = await Tool.RunAsync("trace", "verify", trace);
        var replay = await Tool.RunAsync("trace", "replay", trace);

        Assert.Equal(1, verify.ExitCode);
        Assert.Equal($"tether: trace verify: '{trace}': torn chunk 2 at byte {last.Offset} (the file ends 10 bytes into a chunk head); events from {last.FirstEventIndex} on were not recovered.", Assert.Single(verify.StderrLines));
        Assert.True(replay.ExitCode == 0, replay.ToString());
        Assert.Equal([$"{trace}: identical, {last.FirstEventIndex} events"], replay.StdoutLines);
        Assert.Contains("torn chunk 2", replay.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_replay_by_another_configuration_diverges_writes_the_prefix_and_diff_names_the_difference()
    {
        // The same inputs recorded with a 1 s debounce: the second recovery is started, not refused.
        var recorded = _temp.Child("short-debounce.trace");
        await File.WriteAllBytesAsync(recorded, TraceFixture.Bytes(TraceFixture.Options with { RecoveryDebounce = TimeSpan.FromSeconds(1) }));
        var edited = _temp.Child("edited.trace");
        var fixture = TraceFile.Parse(TraceFixture.Bytes());
        var header = fixture.Header;
        TraceWriter<WatchInput>.WriteFile(edited, header, new WatchInputCodec(), TraceFixture.Inputs().Select((input, i) => (input, i == 7 ? 12345UL : TraceReplayer.Decide(new WatchTrace(), header, TraceFixture.Inputs()).ElementAt(i).Decisions)));
        var prefix = _temp.Child("prefix.trace");

        var replay = await Tool.RunAsync("trace", "replay", edited, "--prefix", prefix);
        var diff = await Tool.RunAsync("trace", "diff", recorded, edited);
        var same = await Tool.RunAsync("trace", "diff", edited, edited);

        Assert.Equal(1, replay.ExitCode);
        Assert.StartsWith("diverged at event 7 (t=3105ms): t=3105ms freshness_checked recovery_id=2 start_time=99", replay.StdoutLines[0], StringComparison.Ordinal);
        Assert.Contains("recovery_refused pid=4242 reason=debounced", replay.Stdout, StringComparison.Ordinal);
        Assert.Equal($"tether: trace replay: diverged at event 7: the engine decides differently from the recording; the divergent prefix is in '{prefix}'.", Assert.Single(replay.StderrLines));
        Assert.Equal(8, TraceFile.Read(prefix).EventCount);
        Assert.Equal(1, diff.ExitCode);
        Assert.Equal("configuration differs:", diff.StdoutLines[0]);
        Assert.Equal(["same: 8 events"], same.StdoutLines);
    }

    [Theory]
    [InlineData("info")]
    [InlineData("verify")]
    [InlineData("replay")]
    public async Task A_missing_or_foreign_file_is_one_line_and_exit_1(string verb)
    {
        var missing = _temp.Child("missing.trace");
        var foreign = _temp.Child("notes.txt");
        await File.WriteAllTextAsync(foreign, "not a trace at all\n");

        var absent = await Tool.RunAsync("trace", verb, missing);
        var other = await Tool.RunAsync("trace", verb, foreign);

        Assert.Equal(1, absent.ExitCode);
        Assert.Equal($"tether: trace {verb}: '{missing}' does not exist: check the path (a file written by 'tether watch --trace FILE' or 'tether lab run').", Assert.Single(absent.StderrLines));
        Assert.Equal(1, other.ExitCode);
        Assert.Equal($"tether: trace {verb}: '{foreign}' is not a readable trace: it does not start with a trace header (magic 'TTRC').", Assert.Single(other.StderrLines));
    }

    [Fact]
    public async Task A_trace_that_cannot_be_created_stops_the_watcher_from_starting_with_one_line_and_no_socket_left()
    {
        var socket = _temp.Child("watch.sock");
        var trace = _temp.Child(Path.Combine("missing-dir", "watch.trace"));

        var result = await Tool.RunAsync("watch", "--socket", socket, "--trace", trace);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"tether: watch: The trace file '{trace}' could not be created (No such file or directory): check that its directory exists and is yours to write.", Assert.Single(result.StderrLines));
        Assert.False(Path.Exists(socket));
    }

    [Fact]
    public async Task Lab_run_over_a_seed_range_of_the_shipped_engine_breaks_no_invariant()
    {
        var result = await Tool.RunAsync("lab", "run", "--engine", "watch", "--seeds", "1..8", "--events", "5000", "--chaos", "heavy", "--out", _temp.Path);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("watch: 8 seeds × 5000 events (heavy chaos): no invariant broken, 40000 events in ", Assert.Single(result.StdoutLines), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_temp.Path, "*.trace"));
    }

    [Theory]
    [InlineData(new[] { "lab", "run", "--engine", "watch", "--seeds", "9..1" }, "--seeds: '9..1' is not a seed range: write A..B with A ≤ B, such as 1..1000, or one seed, such as 42.")]
    [InlineData(new[] { "lab", "run", "--engine", "journal", "--seeds", "1..2" }, "--engine: 'journal' is not an engine the lab simulates: write watch or supervisor.")]
    [InlineData(new[] { "lab", "run", "--engine", "watch", "--seeds", "1..2", "--chaos", "wild" }, "--chaos: 'wild' is not a level: write none, light or heavy.")]
    [InlineData(new[] { "trace", "export", "x.trace" }, "trace export: say the format: --ndjson (the one export format), as in 'tether trace export watch.trace --ndjson'.")]
    [InlineData(new[] { "watch", "--socket", "/tmp/w.sock", "--trace-keep", "2" }, "--trace-keep: it configures the trace, so it needs --trace FILE as well.")]
    [InlineData(new[] { "watch", "--socket", "/tmp/w.sock", "--trace", "/tmp/w.trace", "--trace-max-size", "4K" }, "--trace-max-size: 4K is too small: a trace file needs at least 256K.")]
    public async Task A_wrong_command_line_exits_2_with_one_line_saying_what_to_write(string[] args, string message)
    {
        var result = await Tool.RunAsync(args);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"tether: {message}", Assert.Single(result.StderrLines));
    }
}
