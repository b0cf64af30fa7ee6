using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Tether.Watch.Tests;

/// <summary>
/// The event export file and the event formats: a golden line for every event kind, escaping that keeps one event on
/// one line, the header, owner-only files, refused links and non-files, rotation, buffering, and the JSON and human
/// shapes of the same fields.
/// </summary>
public sealed class EventExportSpecs : IDisposable
{
    private static readonly TimeSpan At = TimeSpan.FromSeconds(5);
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("tether-export-specs-");
    private readonly FakeTimeProvider _clock = VirtualClock.Create();

    private string ExportPath => Path.Combine(_temp.FullName, "events.tsv");

    /// <summary>One event of every kind, with the fields its line must carry.</summary>
    public static TheoryData<string, string> EveryKind() => new()
    {
        { "beat_accepted", "pid=1000\tstatus=degraded\tnonce=7\tpayload=42\torigin=kernel_attested\tnew_agent=true" },
        { "beat_dropped", "pid=1000\treason=agent_rate_limited" },
        { "decode_failed", "error=length\texpected=32\tactual=31\torigin=network_unverified\tpeer=10.0.0.9:4000" },
        { "authentication_failed", "frame_pid=1234\tsender_pid=1000" },
        { "origin_conflict", "pid=1000\tknown=kernel_attested\toffered=network_unverified" },
        { "namespace_conflict", "frame_pid=7\tsender_pid=5555" },
        { "agent_evicted", "pid=10\tsilent_ms=31000" },
        { "pid_reused", "pid=1000" },
        { "agent_terminated", "pid=1000" },
        { "stall_detected", "pid=1000\tsilent_ms=5000\tlast_status=ok\torigin=kernel_attested" },
        { "recovery_refused", "pid=1000\treason=in_flight_full" },
        { "freshness_check_requested", "recovery_id=3\tpid=1000" },
        { "recovery_started", "recovery_id=3\tpid=1000\tstart_time=77" },
        { "recovery_completed", "recovery_id=3\tpid=1000\tresult=exited\texit_code=2\tduration_ms=1750\tstdout_bytes=12\tstderr_bytes=0\ttruncated=false" },
    };

    public void Dispose()
    {
        _temp.Refresh();
        if (_temp.Exists)
        {
            _temp.Delete(recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(EveryKind))]
    public void Every_event_kind_is_one_line_with_utc_time_engine_time_kind_and_its_fields(string kind, string fields)
    {
        _clock.Advance(TimeSpan.FromSeconds(7));

        using (var file = EventExportFile.Open(ExportPath, time: _clock))
        {
            file.Write(Sample(kind));
        }

        var lines = File.ReadAllLines(ExportPath);
        Assert.Equal(["#tether-events\tv1", $"2030-01-01T00:00:07.000Z\t5000\t{kind}\t{fields}"], lines);
    }

    [Fact]
    public void Every_event_record_has_a_sample_so_no_kind_goes_untested()
    {
        var recordTypes = typeof(WatchEvent).GetNestedTypes().Where(t => t.IsSubclassOf(typeof(WatchEvent))).ToList();

        var kinds = EveryKind().Select(row => (string)row[0]).ToList();

        Assert.Equal(recordTypes.Count, kinds.Count);
        Assert.Equal(recordTypes.OrderBy(t => t.Name), kinds.Select(k => Sample(k).GetType()).OrderBy(t => t.Name));
    }

    [Fact]
    public void How_a_recovery_ended_is_spelled_out_for_signals_timeouts_and_failures_to_start()
    {
        var signalled = Completed(new RecoveryResult(new Outcome.Signalled(Signal.Kill), null, TimeSpan.FromSeconds(3), 0, 5, false));
        var timedOut = Completed(new RecoveryResult(new Outcome.TimedOut(TimeoutKind.Overall, TimeSpan.FromSeconds(30)), null, TimeSpan.FromSeconds(35), 70000, 0, true));
        var failed = Completed(new RecoveryResult(null, "program not found: restart-agent", TimeSpan.Zero, 0, 0, false));

        Assert.Equal("recovery_completed recovery_id=3 pid=1000 result=signalled signal=SIGKILL duration_ms=3000 stdout_bytes=0 stderr_bytes=5 truncated=false", WatchEventFormat.Format(signalled));
        Assert.Equal("recovery_completed recovery_id=3 pid=1000 result=timed_out timeout=overall timeout_ms=30000 duration_ms=35000 stdout_bytes=70000 stderr_bytes=0 truncated=true", WatchEventFormat.Format(timedOut));
        Assert.Equal("recovery_completed recovery_id=3 pid=1000 result=failed failure=\"program not found: restart-agent\" duration_ms=0 stdout_bytes=0 stderr_bytes=0 truncated=false", WatchEventFormat.Format(failed));
    }

    [Fact]
    public void Tabs_newlines_and_other_control_characters_in_a_value_are_escaped_so_an_event_stays_on_one_line()
    {
        var hostile = new WatchEvent.DecodeFailed(At, new FrameError(FrameErrorKind.Magic, 0x4156, 0), Origin.NetworkUnverified, "a\tb\nc\rd\\e\u0001f\u202Eg");

        using (var file = EventExportFile.Open(ExportPath, time: _clock))
        {
            file.Write(hostile);
            file.Write(new WatchEvent.PidReused(At, 1000));
        }

        var lines = File.ReadAllLines(ExportPath);
        Assert.Equal(3, lines.Length);
        Assert.EndsWith("\tpeer=a\\tb\\nc\\rd\\\\e\\x01f\\u202eg", lines[1]);
        Assert.Equal(["2030-01-01T00:00:00.000Z", "5000", "decode_failed", "error=magic", "expected=16726", "actual=0", "origin=network_unverified"], lines[1].Split('\t')[..^1]);
        Assert.EndsWith("pid_reused\tpid=1000", lines[2]);
        Assert.Equal("decode_failed error=magic expected=16726 actual=0 origin=network_unverified peer=a\\tb\\nc\\rd\\\\e\\x01f\\u202eg", WatchEventFormat.Format(hostile));
    }

    [Fact]
    public void Text_beyond_ascii_is_kept_but_a_lone_surrogate_is_escaped()
    {
        var peer = new WatchEvent.DecodeFailed(At, new FrameError(FrameErrorKind.Crc, 1, 2), Origin.NetworkUnverified, "h\u00f4te-\U0001F600-\uD800");

        Assert.EndsWith(" peer=h\u00f4te-\U0001F600-\\ud800", WatchEventFormat.Format(peer));
    }

    [Fact]
    public void A_human_line_quotes_a_value_with_spaces_quotes_or_equals_signs()
    {
        var failed = Completed(new RecoveryResult(null, "say \"no\" a=b", TimeSpan.Zero, 0, 0, false));

        var line = WatchEventFormat.Format(failed);

        Assert.Contains(" failure=\"say \\\"no\\\" a=b\" ", line, StringComparison.Ordinal);
    }

    [Fact]
    public void The_file_is_created_owner_only_and_an_existing_file_is_narrowed_to_owner_only()
    {
        var existing = Path.Combine(_temp.FullName, "existing.tsv");
        File.WriteAllText(existing, "");
        File.SetUnixFileMode(existing, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        using (EventExportFile.Open(ExportPath, time: _clock))
        using (EventExportFile.Open(existing, time: _clock))
        {
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(ExportPath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(existing));
    }

    [Fact]
    public void A_symbolic_link_at_the_path_is_refused_and_its_target_left_alone()
    {
        var target = Path.Combine(_temp.FullName, "target.txt");
        File.WriteAllText(target, "precious\n");
        File.CreateSymbolicLink(ExportPath, target);
        var dangling = Path.Combine(_temp.FullName, "dangling.tsv");
        File.CreateSymbolicLink(dangling, Path.Combine(_temp.FullName, "not-there"));

        var refused = Assert.Throws<IOException>(() => EventExportFile.Open(ExportPath, time: _clock));
        Assert.Throws<IOException>(() => EventExportFile.Open(dangling, time: _clock));

        Assert.Contains("symbolic link", refused.Message, StringComparison.Ordinal);
        Assert.Equal("precious\n", File.ReadAllText(target));
        Assert.False(File.Exists(Path.Combine(_temp.FullName, "not-there")));
    }

    [Fact]
    public void A_path_that_is_not_a_regular_file_is_refused()
    {
        var directory = Directory.CreateDirectory(Path.Combine(_temp.FullName, "a-directory")).FullName;

        Assert.Throws<IOException>(() => EventExportFile.Open(directory, time: _clock));
        var device = Assert.Throws<IOException>(() => EventExportFile.Open("/dev/null", time: _clock));
        Assert.Contains("not a regular file", device.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_line_torn_by_a_crash_is_moved_to_a_side_file_on_open_and_the_next_line_starts_fresh()
    {
        using (var file = EventExportFile.Open(ExportPath, time: _clock))
        {
            file.Write(new WatchEvent.PidReused(At, 1));
        }

        var whole = File.ReadAllText(ExportPath);
        File.AppendAllText(ExportPath, "2030-01-01T00:00:05.000Z\t5000\tpid_reu"); // the crash came mid-line

        using (var file = EventExportFile.Open(ExportPath, time: _clock))
        {
            Assert.Equal(1, file.TornTailsMoved);
            Assert.Equal(37, file.TornBytesMoved);
            file.Write(new WatchEvent.PidReused(At, 2));
        }

        var lines = File.ReadAllLines(ExportPath);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith(whole, File.ReadAllText(ExportPath), StringComparison.Ordinal);
        Assert.EndsWith("pid=2", lines[2]);
        var side = Assert.Single(Directory.GetFiles(_temp.FullName, "torn-events-*.bin"));
        Assert.Equal("2030-01-01T00:00:05.000Z\t5000\tpid_reu", File.ReadAllText(side));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(side));
    }

    [Fact]
    public void Reopening_appends_without_a_second_header()
    {
        using (var file = EventExportFile.Open(ExportPath, time: _clock))
        {
            file.Write(new WatchEvent.PidReused(At, 1));
        }

        using (var file = EventExportFile.Open(ExportPath, time: _clock))
        {
            file.Write(new WatchEvent.PidReused(At, 2));
        }

        var lines = File.ReadAllLines(ExportPath);
        Assert.Equal(3, lines.Length);
        Assert.Single(lines, l => l.StartsWith('#'));
        Assert.EndsWith("pid=2", lines[2]);
    }

    [Fact]
    public void Rotation_keeps_the_newest_lines_in_the_given_number_of_generations_and_deletes_older_ones()
    {
        const long MaxBytes = EventExportFile.MinMaxBytes;
        using (var file = EventExportFile.Open(ExportPath, MaxBytes, generations: 2, _clock))
        {
            // ~60 bytes a line: about 68 lines a file, so 400 lines rotate five times.
            for (uint pid = 1; pid <= 400; pid++)
            {
                file.Write(new WatchEvent.AgentTerminated(At, pid));
            }

            Assert.True(file.Rotations >= 4, $"only {file.Rotations} rotations");
        }

        Assert.False(File.Exists(ExportPath + ".3"));
        var generations = new[] { ExportPath + ".2", ExportPath + ".1", ExportPath };
        var pids = new List<uint>();
        foreach (var generation in generations)
        {
            Assert.True(new FileInfo(generation).Length <= MaxBytes);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(generation));
            var lines = File.ReadAllLines(generation);
            Assert.Equal("#tether-events\tv1", lines[0]);
            pids.AddRange(lines.Skip(1).Select(l => uint.Parse(l.Split("pid=")[1], System.Globalization.CultureInfo.InvariantCulture)));
        }

        // The oldest kept line onwards, without a gap, up to the last one written.
        Assert.Equal(400u, pids[^1]);
        Assert.Equal(Enumerable.Range((int)pids[0], pids.Count).Select(p => (uint)p), pids);
        Assert.True(pids.Count > 100);
    }

    [Fact]
    public void Beats_are_buffered_until_the_flush_interval_while_every_other_event_is_written_at_once()
    {
        using var file = EventExportFile.Open(ExportPath, time: _clock);

        file.Write(new WatchEvent.BeatAccepted(At, 1000, BeatStatus.Ok, 1, 0, Origin.KernelAttested, true));
        var afterBeat = ReadShared();
        _clock.Advance(EventExportFile.FlushInterval);
        var afterInterval = ReadShared();
        file.Write(new WatchEvent.StallDetected(At, 1000, At, BeatStatus.Ok, Origin.KernelAttested));
        var afterStall = ReadShared();

        Assert.Single(afterBeat);
        Assert.Equal(2, afterInterval.Length);
        Assert.Equal(3, afterStall.Length);
        Assert.Contains("stall_detected", afterStall[2], StringComparison.Ordinal);
    }

    [Fact]
    public void Writes_from_many_threads_never_interleave_within_a_line()
    {
        using (var file = EventExportFile.Open(ExportPath, time: _clock))
        {
            Parallel.For(0, 8, thread =>
            {
                for (var i = 0; i < 500; i++)
                {
                    file.Write(new WatchEvent.BeatDropped(At, (uint)(thread * 1000 + i), DropReason.OutOfOrder));
                }
            });
        }

        var lines = File.ReadAllLines(ExportPath);
        Assert.Equal(4001, lines.Length);
        Assert.All(lines.Skip(1), l => Assert.Matches(@"^\S+\t5000\tbeat_dropped\tpid=\d+\treason=out_of_order$", l));
        Assert.Equal(4000, lines.Skip(1).Distinct().Count());
    }

    [Fact]
    public void Writing_after_dispose_fails_loudly()
    {
        var file = EventExportFile.Open(ExportPath, time: _clock);
        file.Dispose();
        file.Dispose();

        Assert.Throws<ObjectDisposedException>(() => file.Write(new WatchEvent.PidReused(At, 1)));
    }

    [Theory]
    [MemberData(nameof(EveryKind))]
    public void Every_event_kind_is_one_json_object_with_time_engine_time_kind_and_the_same_fields(string kind, string fields)
    {
        var json = Json(Sample(kind), new DateTimeOffset(2030, 1, 1, 0, 0, 7, TimeSpan.Zero));

        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var properties = root.EnumerateObject().ToList();
        Assert.Equal("2030-01-01T00:00:07.000Z", root.GetProperty("time").GetString());
        Assert.Equal(5000, root.GetProperty("at_ms").GetInt64());
        Assert.Equal(kind, root.GetProperty("event").GetString());
        var expected = fields.Split('\t').Select(f => f.Split('=', 2)).ToList();
        string[] names = ["time", "at_ms", "event", .. expected.Select(f => f[0])];
        Assert.Equal(names, properties.Select(p => p.Name));
        foreach (var pair in expected)
        {
            var value = root.GetProperty(pair[0]);
            var text = value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                _ => value.GetRawText(),
            };
            Assert.Equal(pair[1], text);
        }
    }

    [Fact]
    public void Json_numbers_and_flags_are_typed_and_the_time_can_be_left_out()
    {
        var json = Json(Sample("beat_accepted"), time: null);

        Assert.Equal("""{"at_ms":5000,"event":"beat_accepted","pid":1000,"status":"degraded","nonce":7,"payload":42,"origin":"kernel_attested","new_agent":true}""", json);
    }

    [Fact]
    public void A_human_line_is_the_kind_and_fields_separated_by_spaces()
    {
        Assert.Equal("stall_detected pid=1000 silent_ms=5000 last_status=ok origin=kernel_attested", WatchEventFormat.Format(Sample("stall_detected")));
        Assert.Equal("recovery_started recovery_id=3 pid=1000", WatchEventFormat.Format(new WatchEvent.RecoveryStarted(At, 3, 1000, null)));
    }

    private static WatchEvent Sample(string kind) => kind switch
    {
        "beat_accepted" => new WatchEvent.BeatAccepted(At, 1000, BeatStatus.Degraded, 7, 42, Origin.KernelAttested, NewAgent: true),
        "beat_dropped" => new WatchEvent.BeatDropped(At, 1000, DropReason.AgentRateLimited),
        "decode_failed" => new WatchEvent.DecodeFailed(At, new FrameError(FrameErrorKind.Length, 32, 31), Origin.NetworkUnverified, "10.0.0.9:4000"),
        "authentication_failed" => new WatchEvent.AuthenticationFailed(At, 1234, 1000),
        "origin_conflict" => new WatchEvent.OriginConflict(At, 1000, Origin.KernelAttested, Origin.NetworkUnverified),
        "namespace_conflict" => new WatchEvent.NamespaceConflict(At, 7, 5555),
        "agent_evicted" => new WatchEvent.AgentEvicted(At, 10, TimeSpan.FromSeconds(31)),
        "pid_reused" => new WatchEvent.PidReused(At, 1000),
        "agent_terminated" => new WatchEvent.AgentTerminated(At, 1000),
        "stall_detected" => new WatchEvent.StallDetected(At, 1000, TimeSpan.FromSeconds(5), BeatStatus.Ok, Origin.KernelAttested),
        "recovery_refused" => new WatchEvent.RecoveryRefused(At, 1000, RecoveryRefusal.InFlightFull),
        "freshness_check_requested" => new WatchEvent.FreshnessCheckRequested(At, 3, 1000),
        "recovery_started" => new WatchEvent.RecoveryStarted(At, 3, 1000, 77),
        "recovery_completed" => Completed(new RecoveryResult(new Outcome.Exited(2), null, TimeSpan.FromMilliseconds(1750), 12, 0, false)),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "no sample"),
    };

    private static WatchEvent.RecoveryCompleted Completed(RecoveryResult result) => new(At, 3, 1000, result);

    private static string Json(WatchEvent watchEvent, DateTimeOffset? time)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WatchEventFormat.WriteJson(writer, watchEvent, time);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    // The file is open for writing: read it the way `tail` would, sharing it.
    private string[] ReadShared()
    {
        using var stream = new FileStream(ExportPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
