using System.Text;

namespace Tether.Watch.Tests;

/// <summary>
/// <see cref="AuditLog"/>: rows as written and read back, seq and chain across reopen and rotation, torn-row repair,
/// free text that cannot forge columns, file safety (0600, no symbolic links, one writer) and concurrent appends.
/// </summary>
public sealed class AuditLogSpecs : IDisposable
{
    private readonly AuditTempDirectory _temp = new();
    private readonly FakeTimeProvider _clock = VirtualClock.Create();

    private string LogPath => _temp.Child("audit.log");

    public void Dispose() => _temp.Dispose();

    private AuditOptions Options(long maxBytes = 8 * 1024 * 1024, int generations = 5) =>
        new() { MaxBytes = maxBytes, Generations = generations, TimeProvider = _clock };

    [Fact]
    public void Each_kind_of_row_is_written_with_its_fields_and_reads_back()
    {
        using (var log = AuditLog.Open(LogPath, Options()))
        {
            log.Boot("1.2.3", "stall=30s recovery=on");
            log.Spawn(7, 4242, 123456, "/usr/local/bin/restart-agent", 3);
            log.Complete(7, 4242, new Outcome.Exited(2), TimeSpan.FromMilliseconds(1750), new AuditOutput(12, false), new AuditOutput(70000, true));
            log.Complete(8, 4243, new Outcome.Signalled(Signal.Kill), TimeSpan.FromSeconds(3), default, default);
            log.Complete(9, 4244, new Outcome.TimedOut(TimeoutKind.Overall, TimeSpan.FromSeconds(30)), TimeSpan.FromSeconds(35), default, default);
            log.Complete(10, 4245, null, TimeSpan.Zero, default, default);
            log.Refused(4242, "debounced", "within 5m of the last recovery");
        }

        var lines = File.ReadAllLines(LogPath);
        Assert.Equal("#tether-audit\tv1", lines[0]);
        var rows = lines.Skip(1).Select(Parse).ToList();
        Assert.Equal([1UL, 2, 3, 4, 5, 6, 7], rows.Select(r => r.Seq));
        Assert.Equal(
            [AuditRowKind.Boot, AuditRowKind.Spawn, AuditRowKind.Complete, AuditRowKind.Complete, AuditRowKind.Complete, AuditRowKind.Complete, AuditRowKind.Refused],
            rows.Select(r => r.Kind));
        Assert.Equal(["version=1.2.3", $"pid={Environment.ProcessId}", "reason=start", "options=stall=30s recovery=on"], Fields(rows[0]));
        Assert.Equal(["id=7", "pid=4242", "start_time=123456", "program=restart-agent", "argc=3"], Fields(rows[1]));
        Assert.Equal(
            ["id=7", "pid=4242", "outcome=exited", "code=2", "duration_ms=1750", "stdout_bytes=12", "stdout_truncated=false", "stderr_bytes=70000", "stderr_truncated=true"],
            Fields(rows[2]));
        Assert.Equal("signalled", rows[3]["outcome"]);
        Assert.Equal("9", rows[3]["signal"]);
        Assert.Equal("timed_out", rows[4]["outcome"]);
        Assert.Null(rows[4]["code"]);
        Assert.Equal("failed", rows[5]["outcome"]);
        Assert.Equal(["pid=4242", "reason=debounced", "detail=within 5m of the last recovery"], Fields(rows[6]));
        Assert.True(AuditVerifier.Verify(LogPath).IsValid);
    }

    [Fact]
    public void The_rows_returned_are_the_rows_written()
    {
        using var log = AuditLog.Open(LogPath, Options());

        var boot = log.Boot("1.0", "");
        var refused = log.Refused(1, "pid_recycled");

        Assert.Equal([boot.Line, refused.Line], File.ReadAllLines(LogPath).Skip(1));
        Assert.Equal(refused.Chain, log.LastChain);
        Assert.Equal(2UL, log.LastSeq);
    }

    [Fact]
    public void Timestamps_come_from_the_time_provider_in_UTC_to_the_microsecond()
    {
        using var log = AuditLog.Open(LogPath, Options());

        var first = log.Boot("1.0", "");
        _clock.Advance(TimeSpan.FromSeconds(90) + TimeSpan.FromTicks(12_345_678));
        var second = log.Refused(1, "debounced");

        var start = _clock.GetUtcNow() - _clock.Elapsed();
        Assert.Equal(start, first.Time);
        Assert.Equal(start + TimeSpan.FromSeconds(90) + TimeSpan.FromTicks(12_345_670), second.Time);
        Assert.Equal("2030-01-01T00:01:31.234567Z", File.ReadAllLines(LogPath)[2].Split('\t')[1]);
    }

    [Fact]
    public void Seq_and_chain_continue_when_the_log_is_opened_again()
    {
        string chain;
        using (var log = AuditLog.Open(LogPath, Options()))
        {
            log.Boot("1.0", "");
            log.Refused(5, "in_flight");
            chain = log.LastChain;
        }

        using (var log = AuditLog.Open(LogPath, Options()))
        {
            Assert.Equal(2UL, log.LastSeq);
            Assert.Equal(chain, log.LastChain);
            Assert.Null(log.RepairReason);
            Assert.Equal(3UL, log.Boot("1.0", "").Seq);
        }

        var result = AuditVerifier.Verify(LogPath);
        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(3, result.Rows);
        Assert.Equal((1UL, 3UL), (result.FirstSeq, result.LastSeq));
    }

    [Fact]
    public void A_torn_final_row_is_cut_on_open_and_a_boot_row_records_the_repair()
    {
        using (var log = AuditLog.Open(LogPath, Options()))
        {
            log.Boot("1.0", "");
            log.Refused(5, "debounced");
        }

        var whole = File.ReadAllBytes(LogPath);
        var torn = "3\t2030-01-01T00:00:00.000000Z\tspawn\t12ab"u8.ToArray(); // a writer died mid-row
        File.WriteAllBytes(LogPath, [.. whole, .. torn]);
        var before = AuditVerifier.Verify(LogPath);
        Assert.Equal(AuditProblemKind.Torn, before.Problem?.Kind);
        Assert.Equal(4, before.Problem?.Line);

        using (var log = AuditLog.Open(LogPath, Options()))
        {
            Assert.Equal($"repaired torn final row ({torn.Length} bytes)", log.RepairReason);
            Assert.Equal(3UL, log.LastSeq);
            log.Boot("1.0", "");
        }

        var lines = File.ReadAllLines(LogPath);
        Assert.Equal(Encoding.UTF8.GetString(whole), string.Join("", lines.Take(3).Select(l => l + "\n")));
        var repair = Parse(lines[3]);
        Assert.Equal(AuditRowKind.Boot, repair.Kind);
        Assert.Equal(3UL, repair.Seq);
        Assert.Equal($"repaired torn final row ({torn.Length} bytes)", repair["reason"]);
        Assert.Equal(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), repair["pid"]);
        var side = Assert.Single(Directory.GetFiles(Path.GetDirectoryName(LogPath)!, "torn-audit-*.bin"));
        Assert.Equal(Path.GetFileName(side), repair["torn_file"]);
        Assert.Equal(torn, File.ReadAllBytes(side));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(side));
        var after = AuditVerifier.Verify(LogPath);
        Assert.True(after.IsValid, after.ToString());
        Assert.Equal(4, after.Rows);
    }

    [Fact]
    public void A_final_line_that_does_not_read_is_repaired_like_a_torn_one()
    {
        using (var log = AuditLog.Open(LogPath, Options()))
        {
            log.Boot("1.0", "");
        }

        File.AppendAllText(LogPath, "\0\0\0\0\n"); // what some file systems leave of a write lost in a crash

        using (var log = AuditLog.Open(LogPath, Options()))
        {
            Assert.Equal("repaired torn final row (5 bytes)", log.RepairReason);
        }

        Assert.True(AuditVerifier.Verify(LogPath).IsValid);
    }

    [Fact]
    public void A_torn_header_is_rewritten_on_open()
    {
        File.WriteAllText(LogPath, "#tether-au");

        using (var log = AuditLog.Open(LogPath, Options()))
        {
            Assert.Equal("repaired torn header (10 bytes)", log.RepairReason);
            Assert.Equal(1UL, log.LastSeq);
        }

        Assert.StartsWith("#tether-audit\tv1\n1\t", File.ReadAllText(LogPath), StringComparison.Ordinal);
        Assert.True(AuditVerifier.Verify(LogPath).IsValid);
    }

    [Fact]
    public void Damage_before_the_final_row_is_refused_and_the_file_is_left_as_evidence()
    {
        using (var log = AuditLog.Open(LogPath, Options()))
        {
            log.Boot("1.0", "");
            log.Refused(5, "debounced");
            log.Refused(6, "resumed");
        }

        var lines = File.ReadAllLines(LogPath);
        lines[2] = lines[2].Replace("pid=5", "pid=6", StringComparison.Ordinal);
        File.WriteAllLines(LogPath, lines);
        var tampered = File.ReadAllBytes(LogPath);

        var error = Assert.Throws<AuditLogException>(() => AuditLog.Open(LogPath, Options()));

        Assert.Equal(AuditProblemKind.Edited, error.Problem?.Kind);
        Assert.Equal(3, error.Problem?.Line);
        Assert.Contains("line 3 (seq 2)", error.Message, StringComparison.Ordinal);
        Assert.Equal(tampered, File.ReadAllBytes(LogPath));
    }

    [Fact]
    public void A_file_that_is_not_an_audit_log_is_refused_and_left_alone()
    {
        File.WriteAllText(LogPath, "hello, world\n");

        var error = Assert.Throws<AuditLogException>(() => AuditLog.Open(LogPath, Options()));

        Assert.Equal(AuditProblemKind.BadHeader, error.Problem?.Kind);
        Assert.Equal("hello, world\n", File.ReadAllText(LogPath));
    }

    [Fact]
    public void Rotation_keeps_N_generations_each_within_the_size_and_they_verify_as_one_log()
    {
        const int Rows = 60;
        using (var log = AuditLog.Open(LogPath, Options(maxBytes: 1024, generations: 2)))
        {
            for (var i = 1; i <= Rows; i++)
            {
                log.Refused((uint)i, "debounced", "a detail to make the row longer than a few bytes");
            }
        }

        Assert.True(File.Exists(LogPath));
        Assert.True(File.Exists(LogPath + ".1"));
        Assert.True(File.Exists(LogPath + ".2"));
        Assert.False(File.Exists(LogPath + ".3"));
        foreach (var file in new[] { LogPath, LogPath + ".1", LogPath + ".2" })
        {
            Assert.InRange(new FileInfo(file).Length, 1, 1024);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        var all = AuditVerifier.VerifyGenerations(LogPath);
        Assert.True(all.IsValid, all.ToString());
        Assert.Equal([LogPath + ".2", LogPath + ".1", LogPath], all.Files);
        Assert.Equal((ulong)Rows, all.LastSeq);
        Assert.Equal((long)(all.LastSeq!.Value - all.FirstSeq!.Value + 1), all.Rows);
        Assert.Equal(all.FirstSeq - 1, all.PreviousSeq); // the oldest kept file continues one rotation deleted
        Assert.StartsWith($"#tether-audit\tv1\tprev-seq={all.PreviousSeq}\tprev-chain=", File.ReadAllLines(LogPath + ".2")[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Rotation_carries_seq_and_chain_into_the_new_file()
    {
        using var log = AuditLog.Open(LogPath, Options(maxBytes: 1024, generations: 1));
        AuditRow last = log.Boot("1.0", "");
        while (!File.Exists(LogPath + ".1"))
        {
            last = log.Refused(1, "debounced", new string('x', 100));
        }

        var header = File.ReadAllLines(LogPath)[0];
        var previousLast = Parse(File.ReadAllLines(LogPath + ".1")[^1]);
        Assert.Equal($"#tether-audit\tv1\tprev-seq={previousLast.Seq}\tprev-chain={previousLast.Chain}", header);
        Assert.Equal(previousLast.Seq + 1, last.Seq);
        Assert.True(AuditVerifier.Verify(LogPath + ".1", LogPath).IsValid);
    }

    [Fact]
    public void A_live_file_lost_mid_rotation_is_recreated_continuing_the_previous_generation()
    {
        using (var log = AuditLog.Open(LogPath, Options()))
        {
            log.Boot("1.0", "");
            log.Refused(5, "debounced");
        }

        File.Move(LogPath, LogPath + ".1"); // the crash came after the rename, before the new file

        using (var log = AuditLog.Open(LogPath, Options()))
        {
            Assert.Equal(3UL, log.Boot("1.0", "").Seq);
        }

        Assert.True(AuditVerifier.Verify(LogPath + ".1", LogPath).IsValid);
    }

    [Fact]
    public void Free_text_with_tabs_and_line_breaks_cannot_forge_columns_or_rows()
    {
        const string Forged = "x\tpid=1\n2\t2030-01-01T00:00:00.000000Z\tboot\r\u0085\u2028\u001b[2J";
        using (var log = AuditLog.Open(LogPath, Options()))
        {
            log.Boot(Forged, Forged);
            log.Refused(5, "debounced", Forged);
            log.Spawn(1, 5, null, Forged, 0);
        }

        var lines = File.ReadAllLines(LogPath);
        Assert.Equal(4, lines.Length);
        var refused = Parse(lines[2]);
        Assert.Equal(["pid", "reason", "detail"], refused.Fields.Select(f => f.Key));
        Assert.Equal("x pid=1 2 2030-01-01T00:00:00.000000Z boot    [2J", refused["detail"]);
        Assert.Equal(4, Parse(lines[1]).Fields.Count);
        Assert.Equal(4, Parse(lines[3]).Fields.Count);
        Assert.DoesNotContain(lines, l => l.Any(c => char.IsControl(c) && c != '\t'));
        Assert.True(AuditVerifier.Verify(LogPath).IsValid);
    }

    [Fact]
    public void Long_free_text_is_cut_with_an_ellipsis()
    {
        using var log = AuditLog.Open(LogPath, Options());

        var row = log.Refused(5, "debounced", new string('d', 5000));

        Assert.Equal(512, row["detail"]!.Length);
        Assert.EndsWith("d…", row["detail"], StringComparison.Ordinal);
    }

    [Fact]
    public void Arguments_environment_and_directories_of_a_recovery_command_are_never_written()
    {
        var command = new Command("/opt/secret-place/bin/restart-agent")
            .WithArguments("--token", "hunter2-secret-token")
            .WithEnvironmentVariable("API_KEY", "sk-live-secret-value")
            .WithWorkingDirectory("/srv/secret-place");
        using (var log = AuditLog.Open(LogPath, Options()))
        {
            var row = log.Spawn(3, 99, null, command);
            Assert.Equal("restart-agent", row["program"]);
            Assert.Equal("2", row["argc"]);
            Assert.Null(row["start_time"]);
        }

        var text = File.ReadAllText(LogPath);
        Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
        Assert.DoesNotContain("--token", text, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-live", text, StringComparison.Ordinal);
        Assert.DoesNotContain("API_KEY", text, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-place", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_file_is_created_owner_only_and_a_wider_existing_file_is_narrowed()
    {
        using (AuditLog.Open(LogPath, Options()))
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(LogPath));
        }

        File.SetUnixFileMode(LogPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        using (AuditLog.Open(LogPath, Options()))
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(LogPath));
        }
    }

    [Fact]
    public void A_symbolic_link_is_refused_and_its_target_is_left_alone()
    {
        var target = _temp.Child("target.log");
        File.WriteAllText(target, "precious\n");
        File.CreateSymbolicLink(LogPath, target);

        var error = Assert.Throws<AuditLogException>(() => AuditLog.Open(LogPath, Options()));

        Assert.Contains("symbolic link", error.Message, StringComparison.Ordinal);
        Assert.Equal("precious\n", File.ReadAllText(target));
    }

    [Fact]
    public void A_dangling_symbolic_link_is_refused_and_nothing_is_created_where_it_points()
    {
        var target = _temp.Child("planted.log");
        File.CreateSymbolicLink(LogPath, target);

        Assert.Throws<AuditLogException>(() => AuditLog.Open(LogPath, Options()));

        Assert.False(File.Exists(target));
    }

    [Fact]
    public void A_log_open_in_this_process_cannot_be_opened_again_until_disposed()
    {
        using (AuditLog.Open(LogPath, Options()))
        {
            var error = Assert.Throws<AuditLogException>(() => AuditLog.Open(LogPath, Options()));
            Assert.Contains("already open", error.Message, StringComparison.Ordinal);
        }

        using var again = AuditLog.Open(LogPath, Options());
        Assert.Equal(0UL, again.LastSeq);
    }

    [Fact]
    public async Task Concurrent_appends_from_several_threads_keep_seq_and_chain_consistent()
    {
        const int Threads = 4;
        const int RowsEach = 40;
        using (var log = AuditLog.Open(LogPath, Options(maxBytes: 4096, generations: 100)))
        {
            using var start = new Barrier(Threads);
            var writers = Enumerable.Range(0, Threads).Select(t => Task.Run(() =>
            {
                start.SignalAndWait();
                return Enumerable.Range(0, RowsEach).Select(i => log.Refused((uint)((t * 1000) + i), "in_flight", "thread " + t).Seq).ToList();
            }));
            var seqs = (await Task.WhenAll(writers)).SelectMany(s => s).Order().ToList();
            Assert.Equal(Enumerable.Range(1, Threads * RowsEach).Select(i => (ulong)i), seqs);
        }

        var result = AuditVerifier.VerifyGenerations(LogPath);
        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(Threads * RowsEach, result.Rows);
    }

    [Fact]
    public void A_disposed_log_refuses_rows()
    {
        var log = AuditLog.Open(LogPath, Options());
        log.Dispose();

        Assert.Throws<ObjectDisposedException>(() => log.Boot("1.0", ""));
    }

    [Fact]
    public void Bad_arguments_are_refused_before_anything_is_written()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => AuditLog.Open(LogPath, Options(maxBytes: 100)));
        Assert.Throws<ArgumentOutOfRangeException>(() => AuditLog.Open(LogPath, Options(generations: 0)));
        Assert.False(File.Exists(LogPath));

        using var log = AuditLog.Open(LogPath, Options());
        Assert.Throws<ArgumentException>(() => log.Refused(1, "Not A Reason"));
        Assert.Throws<ArgumentException>(() => log.Refused(1, "debounced\tdetail=forged"));
        Assert.Throws<ArgumentOutOfRangeException>(() => log.Spawn(1, 1, null, "x", -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => log.Complete(1, 1, null, TimeSpan.FromSeconds(-1), default, default));
        Assert.Equal(0UL, log.LastSeq);
    }

    [Fact]
    public void A_missing_directory_is_reported_with_the_path()
    {
        var path = _temp.Child("no-such-dir/audit.log");

        var error = Assert.Throws<AuditLogException>(() => AuditLog.Open(path, Options()));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    private static AuditRow Parse(string line)
    {
        Assert.True(AuditRow.TryParse(line, out var row), line);
        return row;
    }

    private static string[] Fields(AuditRow row) => [.. row.Fields.Select(f => $"{f.Key}={f.Value}")];
}

/// <summary>A fresh directory under the system temp directory, deleted with everything in it on dispose.</summary>
internal sealed class AuditTempDirectory : IDisposable
{
    public AuditTempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "tether-audit-spec-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>A path inside this directory (not created).</summary>
    public string Child(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp directory must not fail a spec.
        }
    }
}
