namespace Tether.Watch.Tests;

/// <summary>
/// <see cref="AuditVerifier"/>: the golden example of docs/formats/audit.md verifies, and every kind of tampering —
/// an edited character, a removed, swapped or truncated row, a bad header, a missing or misordered generation — fails
/// naming the first bad file, line and seq.
/// </summary>
public sealed class AuditVerifySpecs : IDisposable
{
    /// <summary>The golden example of docs/formats/audit.md, byte for byte (computed independently, in Python).</summary>
    private const string Golden =
        "#tether-audit\tv1\n" +
        "1\t2030-01-01T00:00:00.000000Z\tboot\t040d75bd1cfac143b3fee01459c30facaf86e60b03611c965918084e4f993a52\tversion=1.0.0\tpid=4242\treason=start\toptions=stall=30s\n" +
        "2\t2030-01-01T00:00:31.250000Z\tspawn\tec57f495a4d460d343f7439b62da78dcc4b2922c088a8c39280a1f03bf72d97f\tid=1\tpid=777\tstart_time=123456\tprogram=restart-agent\targc=2\n" +
        "3\t2030-01-01T00:00:33.000000Z\tcomplete\t00223c40bf686eb7bd25fd8f97ef315ded50cd9b1d0074c0d788fe1a692f849c\tid=1\tpid=777\toutcome=exited\tcode=0\tduration_ms=1750\tstdout_bytes=12\tstdout_truncated=false\tstderr_bytes=0\tstderr_truncated=false\n" +
        "4\t2030-01-01T00:00:40.000000Z\trefused\t23d3e3818287cc01a77412585e7035ba91fc117e440b453266ef07a00d75aa13\tpid=777\treason=debounced\n";

    private readonly AuditTempDirectory _temp = new();
    private readonly FakeTimeProvider _clock = VirtualClock.Create();

    private string LogPath => _temp.Child("audit.log");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void The_golden_example_of_the_format_page_verifies()
    {
        File.WriteAllText(LogPath, Golden);

        var result = AuditVerifier.Verify(LogPath);

        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(4, result.Rows);
        Assert.Equal((1UL, 4UL), (result.FirstSeq, result.LastSeq));
        Assert.Null(result.PreviousSeq);
        Assert.Equal("23d3e3818287cc01a77412585e7035ba91fc117e440b453266ef07a00d75aa13", result.LastChain);
        Assert.Equal($"{LogPath}: ok, 4 rows, seq 1–4", result.ToString());
    }

    [Fact]
    public void The_writer_continues_the_golden_example()
    {
        File.WriteAllText(LogPath, Golden);

        using (var log = AuditLog.Open(LogPath, new AuditOptions { TimeProvider = _clock }))
        {
            Assert.Equal(4UL, log.LastSeq);
            Assert.Equal("23d3e3818287cc01a77412585e7035ba91fc117e440b453266ef07a00d75aa13", log.LastChain);
            log.Refused(777, "resumed");
        }

        Assert.True(AuditVerifier.Verify(LogPath).IsValid);
    }

    [Fact]
    public void Changing_any_single_character_of_a_row_fails_naming_that_row()
    {
        WriteLog(5);
        var original = File.ReadAllText(LogPath);
        var lines = original.Split('\n');
        const int Line = 4; // row seq 3, in the middle
        var start = lines.Take(Line - 1).Sum(l => l.Length + 1);
        var end = start + lines[Line - 1].Length; // its line end included

        for (var i = start; i <= end; i++)
        {
            var changed = original[..i] + Other(original[i]) + original[(i + 1)..];
            File.WriteAllText(LogPath, changed);

            var result = AuditVerifier.Verify(LogPath);

            Assert.False(result.IsValid, $"changing character {i - start} ('{original[i]}') went unnoticed");
            Assert.True(result.Problem!.Line == Line, $"changing character {i - start} ('{original[i]}') was reported as {result.Problem}");
        }
    }

    [Fact]
    public void Changing_the_chain_of_a_row_fails_as_an_edit_of_that_row()
    {
        WriteLog(3);
        var lines = File.ReadAllLines(LogPath);
        var columns = lines[2].Split('\t');
        columns[3] = columns[3][..^1] + Other(columns[3][^1]);
        lines[2] = string.Join('\t', columns);
        File.WriteAllLines(LogPath, lines);

        var problem = AuditVerifier.Verify(LogPath).Problem;

        Assert.Equal(new AuditProblem(AuditProblemKind.Edited, LogPath, 3, 2, problem!.Detail), problem);
        Assert.Contains("changed after it was written", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_removed_row_fails_naming_the_row_after_the_gap()
    {
        WriteLog(5);
        var lines = File.ReadAllLines(LogPath).ToList();
        lines.RemoveAt(3); // seq 3
        File.WriteAllLines(LogPath, lines);

        var problem = AuditVerifier.Verify(LogPath).Problem;

        Assert.Equal(AuditProblemKind.Removed, problem?.Kind);
        Assert.Equal((4L, 4UL), (problem!.Line, problem.Seq));
        Assert.Contains("the row with seq 3 was removed", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_removed_first_row_fails_because_a_log_starts_at_seq_1()
    {
        WriteLog(3);
        var lines = File.ReadAllLines(LogPath).ToList();
        lines.RemoveAt(1);
        File.WriteAllLines(LogPath, lines);

        var problem = AuditVerifier.Verify(LogPath).Problem;

        Assert.Equal((AuditProblemKind.Removed, 2L), (problem?.Kind, problem?.Line));
    }

    [Fact]
    public void Two_swapped_rows_fail_naming_the_first_of_them()
    {
        WriteLog(5);
        var lines = File.ReadAllLines(LogPath);
        (lines[2], lines[3]) = (lines[3], lines[2]);
        File.WriteAllLines(LogPath, lines);

        var problem = AuditVerifier.Verify(LogPath).Problem;

        Assert.Equal(AuditProblemKind.Reordered, problem?.Kind);
        Assert.Equal((3L, 3UL), (problem!.Line, problem.Seq));
        Assert.Contains("seq 2 comes later (line 4)", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_repeated_row_fails_as_out_of_order()
    {
        WriteLog(3);
        var lines = File.ReadAllLines(LogPath).ToList();
        lines.Insert(3, lines[2]);
        File.WriteAllLines(LogPath, lines);

        var problem = AuditVerifier.Verify(LogPath).Problem;

        Assert.Equal((AuditProblemKind.Reordered, 4L, 2UL), (problem?.Kind, problem?.Line, problem?.Seq));
    }

    [Fact]
    public void A_row_cut_short_in_the_middle_fails_naming_it()
    {
        WriteLog(5);
        var lines = File.ReadAllLines(LogPath);
        lines[2] = lines[2][..(lines[2].Length / 2)];
        File.WriteAllLines(LogPath, lines);

        var problem = AuditVerifier.Verify(LogPath).Problem;

        Assert.Equal(3, problem?.Line);
        Assert.Contains(problem!.Kind, new[] { AuditProblemKind.Malformed, AuditProblemKind.Edited });
    }

    [Fact]
    public void A_torn_final_row_fails_as_torn_until_the_log_is_opened_again()
    {
        WriteLog(3);
        var text = File.ReadAllText(LogPath);
        File.WriteAllText(LogPath, text[..^20]);

        var problem = AuditVerifier.Verify(LogPath).Problem;

        Assert.Equal((AuditProblemKind.Torn, 4L), (problem?.Kind, problem?.Line));
        Assert.Contains("incomplete", problem!.Detail, StringComparison.Ordinal);
        using (AuditLog.Open(LogPath, new AuditOptions { TimeProvider = _clock }))
        {
        }

        Assert.True(AuditVerifier.Verify(LogPath).IsValid);
    }

    [Fact]
    public void A_final_line_that_does_not_read_in_an_older_generation_is_malformed_not_torn()
    {
        WriteLog(2);
        File.AppendAllText(LogPath, "garbage\n");

        Assert.Equal(AuditProblemKind.Torn, AuditVerifier.Verify(LogPath).Problem?.Kind);
        File.Copy(LogPath, LogPath + ".1");
        var problem = AuditVerifier.Verify(LogPath + ".1", LogPath).Problem;
        Assert.Equal((AuditProblemKind.Malformed, LogPath + ".1", 4L), (problem?.Kind, problem?.File, problem?.Line));
    }

    [Theory]
    [InlineData("#tether-audit\tv2\n", "version 'v2'")]
    [InlineData("tether-audit\tv1\n", "not an audit header")]
    [InlineData("#tether-audit\tv1\tprev-seq=3\n", "link to the previous file")]
    [InlineData("", "empty")]
    public void A_bad_header_fails_naming_line_1(string header, string detail)
    {
        WriteLog(2);
        var rows = File.ReadAllText(LogPath).Split('\n', 2)[1];
        File.WriteAllText(LogPath, header.Length == 0 ? "" : header + rows);

        var problem = AuditVerifier.Verify(LogPath).Problem;

        Assert.Equal((AuditProblemKind.BadHeader, 1L), (problem?.Kind, problem?.Line));
        Assert.Contains(detail, problem!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_changed_link_in_a_rotated_header_fails_at_the_first_row()
    {
        var files = WriteRotated(generations: 1);
        var lines = File.ReadAllLines(LogPath);
        var prev = lines[0].Split('\t')[3];
        lines[0] = lines[0].Replace(prev, prev[..^1] + Other(prev[^1]), StringComparison.Ordinal);
        File.WriteAllLines(LogPath, lines);

        var alone = AuditVerifier.Verify(LogPath).Problem;
        var together = AuditVerifier.Verify(files).Problem;

        Assert.Equal((AuditProblemKind.Edited, 2L), (alone?.Kind, alone?.Line));
        Assert.Equal((AuditProblemKind.Unlinked, LogPath, 1L), (together?.Kind, together?.File, together?.Line));
    }

    [Fact]
    public void Generations_verify_together_oldest_first_and_the_newest_alone_from_its_header()
    {
        var files = WriteRotated(generations: 3);

        var all = AuditVerifier.Verify(files);
        var newest = AuditVerifier.Verify(LogPath);

        Assert.True(all.IsValid, all.ToString());
        Assert.Equal(files, AuditVerifier.FindGenerations(LogPath));
        Assert.True(newest.IsValid, newest.ToString());
        Assert.Equal(all.LastSeq, newest.LastSeq);
        Assert.NotNull(newest.PreviousSeq);
        Assert.EndsWith($"(continues seq {newest.PreviousSeq} of an earlier file, not checked)", newest.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_removed_middle_generation_fails_naming_the_file_after_it()
    {
        var files = WriteRotated(generations: 3);
        File.Delete(LogPath + ".2");

        var given = AuditVerifier.Verify(files[0], files[2], files[3]);
        var found = AuditVerifier.VerifyGenerations(LogPath);

        Assert.Equal((AuditProblemKind.Unlinked, LogPath + ".1", 1L), (given.Problem?.Kind, given.Problem?.File, given.Problem?.Line));
        Assert.Contains("missing", given.Problem!.Detail, StringComparison.Ordinal);
        Assert.Equal(given.Problem, found.Problem);
    }

    [Fact]
    public void Generations_given_newest_first_fail_and_say_how_to_order_them()
    {
        var files = WriteRotated(generations: 2);

        var problem = AuditVerifier.Verify([.. Enumerable.Reverse(files)]).Problem;

        Assert.Equal(AuditProblemKind.Unlinked, problem?.Kind);
        Assert.Contains("oldest first", problem!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Files_of_two_different_logs_do_not_verify_as_one()
    {
        WriteLog(2);
        var other = _temp.Child("other.log");
        using (var log = AuditLog.Open(other, new AuditOptions { TimeProvider = _clock }))
        {
            log.Boot("2.0", "");
        }

        var problem = AuditVerifier.Verify(LogPath, other).Problem;

        Assert.Equal((AuditProblemKind.Unlinked, other), (problem?.Kind, problem?.File));
    }

    [Fact]
    public void A_missing_file_or_a_directory_is_named()
    {
        var missing = AuditVerifier.Verify(_temp.Child("nope.log")).Problem;
        var directory = AuditVerifier.Verify(_temp.Path).Problem;

        Assert.Equal((AuditProblemKind.Missing, _temp.Child("nope.log"), (long?)null), (missing?.Kind, missing?.File, missing?.Line));
        Assert.Equal("it does not exist", missing!.Detail);
        Assert.Equal(AuditProblemKind.Unreadable, directory?.Kind);
    }

    [Fact]
    public void A_header_alone_is_a_valid_empty_log()
    {
        File.WriteAllText(LogPath, "#tether-audit\tv1\n");

        var result = AuditVerifier.Verify(LogPath);

        Assert.True(result.IsValid);
        Assert.Equal(0, result.Rows);
        Assert.Equal($"{LogPath}: ok, 0 rows", result.ToString());
    }

    [Fact]
    public void Bytes_that_are_not_UTF8_are_malformed()
    {
        WriteLog(3);
        var bytes = File.ReadAllBytes(LogPath);
        var at = Array.IndexOf(bytes, (byte)'=');
        bytes[at + 1] = 0xFF;
        File.WriteAllBytes(LogPath, bytes);

        var problem = AuditVerifier.Verify(LogPath).Problem;

        Assert.Equal((AuditProblemKind.Malformed, 2L), (problem?.Kind, problem?.Line));
        Assert.Contains("UTF-8", problem!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_line_longer_than_any_row_is_malformed_without_reading_it_whole()
    {
        WriteLog(1);
        File.AppendAllText(LogPath, new string('9', 200_000) + "\n");
        File.AppendAllText(LogPath, "more\n");

        var problem = AuditVerifier.Verify(LogPath).Problem;

        Assert.Equal((AuditProblemKind.Malformed, 3L), (problem?.Kind, problem?.Line));
        Assert.Contains("longer than", problem!.Detail, StringComparison.Ordinal);
    }

    /// <summary>Writes a log of a boot row and <paramref name="rows"/> − 1 more.</summary>
    private void WriteLog(int rows)
    {
        using var log = AuditLog.Open(LogPath, new AuditOptions { TimeProvider = _clock });
        log.Boot("1.0", "stall=30s");
        for (var i = 2; i <= rows; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            if (i % 2 == 0)
            {
                log.Spawn(i, 700, 12345, "restart-agent", 2);
            }
            else
            {
                log.Refused(700, "debounced");
            }
        }
    }

    /// <summary>Writes enough rows to rotate past all <paramref name="generations"/>; returns the files, oldest first.</summary>
    private string[] WriteRotated(int generations)
    {
        using (var log = AuditLog.Open(LogPath, new AuditOptions { MaxBytes = 1024, Generations = generations, TimeProvider = _clock }))
        {
            log.Boot("1.0", "");
            while (!File.Exists(LogPath + "." + generations) || new FileInfo(LogPath).Length < 512)
            {
                log.Refused(700, "debounced", "some detail to fill the file");
            }
        }

        return [.. Enumerable.Range(1, generations).Reverse().Select(g => LogPath + "." + g), LogPath];
    }

    /// <summary>Another character of the same class, so that the change is a plausible edit rather than noise.</summary>
    private static char Other(char c) => c switch
    {
        >= '0' and < '9' => (char)(c + 1),
        '9' => '0',
        >= 'a' and < 'f' => (char)(c + 1),
        'f' => 'a',
        'x' => 'y',
        _ => 'x',
    };
}
