using System.Collections.Immutable;
using System.Text;
using System.Text.Json;

namespace Tether.Sessions.Tests;

/// <summary>The NDJSON v2 session format (docs/formats/session.md): what Tether writes, and what it reads — its own
/// files, rec's files (the fixtures are written the way rec 0.2 writes them), and damaged ones.</summary>
public sealed class SessionFormatSpecs
{
    private static readonly DateTimeOffset Noon = new(2026, 1, 31, 12, 0, 0, TimeSpan.Zero); // 1769860800

    // ---- Writing ----------------------------------------------------------------------------------------------------

    [Fact]
    public void A_header_is_written_as_rec_writes_it_type_first_and_times_in_epoch_seconds()
    {
        var header = new SessionHeader
        {
            Id = "6f1c2a9e-3b4d-4e5f-8a7b-1c2d3e4f5a6b",
            Name = "deploy-api",
            Shell = "bash",
            Os = "Ubuntu 24.04.1 LTS",
            Hostname = "devbox",
            Environment = ImmutableSortedDictionary.CreateRange(new Dictionary<string, string> { ["USER"] = "ada", ["HOME"] = "/home/ada" }),
            Tags = ["deploy", "api"],
            Started = Noon.AddMilliseconds(123),
        };

        var line = SessionFormat.WriteHeader(header);

        Assert.Equal(
            """{"type":"header","version":2,"id":"6f1c2a9e-3b4d-4e5f-8a7b-1c2d3e4f5a6b","name":"deploy-api","shell":"bash","os":"Ubuntu 24.04.1 LTS","hostname":"devbox","env":{"HOME":"/home/ada","USER":"ada"},"tags":["deploy","api"],"started_at":1769860800.123}""",
            line);
    }

    [Fact]
    public void Recovered_is_written_only_when_true_and_unknown_header_text_as_empty_strings()
    {
        var header = new SessionHeader { Id = "0a6e3c1d-9f7b-4c2a-b1e8-5d4c3b2a1f00", Name = "imported", Started = Noon };

        var plain = SessionFormat.WriteHeader(header);
        var recovered = SessionFormat.WriteHeader(header with { Recovered = true });

        Assert.DoesNotContain("recovered", plain, StringComparison.Ordinal);
        Assert.Contains("\"shell\":\"\",\"os\":\"\",\"hostname\":\"\",\"env\":{},\"tags\":[]", plain, StringComparison.Ordinal);
        Assert.Contains("\"tags\":[],\"recovered\":true,\"started_at\":1769860800.0}", recovered, StringComparison.Ordinal);
    }

    [Fact]
    public void A_command_without_an_end_leaves_out_ended_at_exit_code_and_duration_as_rec_does()
    {
        var running = new RecordedCommand { Index = 1, Command = "sleep 600", Cwd = "/home/cy", Started = Noon };
        var done = running with { Ended = Noon.AddSeconds(1.5), ExitCode = -1, Duration = TimeSpan.FromMilliseconds(1500.9) };

        Assert.Equal("""{"type":"command","index":1,"command":"sleep 600","cwd":"/home/cy","started_at":1769860800.0}""", SessionFormat.WriteCommand(running));
        Assert.Equal(
            """{"type":"command","index":1,"command":"sleep 600","cwd":"/home/cy","started_at":1769860800.0,"ended_at":1769860801.5,"exit_code":-1,"duration_ms":1500}""",
            SessionFormat.WriteCommand(done));
    }

    [Fact]
    public void A_footer_names_its_status_in_lowercase()
    {
        var footer = new SessionFooter { Ended = Noon.AddMinutes(5), CommandCount = 3, Status = SessionStatus.Interrupted };

        Assert.Equal("""{"type":"footer","ended_at":1769861100.0,"command_count":3,"status":"interrupted"}""", SessionFormat.WriteFooter(footer));
    }

    [Fact]
    public void Commands_with_newlines_quotes_and_non_ascii_text_stay_on_one_readable_line()
    {
        var command = new RecordedCommand
        {
            Index = 0,
            Command = "for f in *.log; do\n\techo \"$f: café ✓\" && cat <$f >>all\ndone",
            Cwd = "/tmp/ünï",
            Started = Noon,
        };

        var line = SessionFormat.WriteCommand(command);

        Assert.DoesNotContain('\n', line);
        Assert.Contains(@"do\n\techo \""$f: café ✓\"" && cat <$f >>all\ndone", line, StringComparison.Ordinal);
        var read = Parse(HeaderLine(), line).Session.Commands.Single();
        Assert.Equal(command.Command, read.Command);
        Assert.Equal(command.Cwd, read.Cwd);
    }

    [Fact]
    public void A_lone_surrogate_is_stored_as_the_replacement_character()
    {
        var command = new RecordedCommand { Index = 0, Command = "echo \ud800", Cwd = "/", Started = Noon };

        var read = Parse(HeaderLine(), SessionFormat.WriteCommand(command)).Session.Commands.Single();

        Assert.Equal("echo \ufffd", read.Command);
    }

    [Fact]
    public void Writing_refuses_a_negative_index_or_duration_and_another_version()
    {
        var command = new RecordedCommand { Index = 0, Command = "ls", Cwd = "/", Started = Noon };

        Assert.Throws<ArgumentOutOfRangeException>(() => SessionFormat.WriteCommand(command with { Index = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => SessionFormat.WriteCommand(command with { Duration = TimeSpan.FromSeconds(-1) }));
        Assert.Throws<ArgumentException>(() => SessionFormat.WriteHeader(new SessionHeader { Version = 3, Id = "x", Name = "n", Started = Noon }));
    }

    // ---- Round trips ------------------------------------------------------------------------------------------------

    [Fact]
    public void A_session_written_by_Tether_reads_back_field_for_field_with_times_exact_to_the_tick()
    {
        var session = SampleSession();

        var load = SessionFormat.Parse(Lines(SessionFormat.Write(session)), "memory");

        Assert.True(load.IsClean);
        AssertSameSession(session, load.Session);
    }

    [Fact]
    public void Times_before_the_epoch_and_with_offsets_read_back_as_the_same_instant()
    {
        var header = new SessionHeader { Id = "0a6e3c1d-9f7b-4c2a-b1e8-5d4c3b2a1f00", Name = "old", Started = new DateTimeOffset(1969, 7, 20, 20, 17, 40, 1, TimeSpan.FromHours(-5)).AddTicks(7) };

        var read = Parse(SessionFormat.WriteHeader(header)).Session.Header.Started;

        Assert.Equal(header.Started.UtcTicks, read.UtcTicks);
        Assert.Equal(TimeSpan.Zero, read.Offset);
    }

    [Fact]
    public void Parsing_lines_and_parsing_the_file_give_the_same_session()
    {
        var text = SessionFormat.Write(SampleSession());

        var fromLines = SessionFormat.Parse(Lines(text), "a");
        var fromStream = SessionFormat.Parse(new MemoryStream(Encoding.UTF8.GetBytes(text)), "a");

        AssertSameSession(fromLines.Session, fromStream.Session);
        Assert.Equal(fromLines.Problems, fromStream.Problems);
    }

    // ---- rec's files ------------------------------------------------------------------------------------------------

    [Fact]
    public void A_completed_rec_session_loads_with_every_field()
    {
        var load = LoadFixture("rec-completed.ndjson");

        Assert.True(load.IsClean, string.Join("; ", load.Problems));
        var header = load.Session.Header;
        Assert.Equal("6f1c2a9e-3b4d-4e5f-8a7b-1c2d3e4f5a6b", header.Id);
        Assert.Equal("deploy-api", header.Name);
        Assert.Equal("bash", header.Shell);
        Assert.Equal("Ubuntu 24.04.1 LTS", header.Os);
        Assert.Equal("devbox", header.Hostname);
        Assert.Equal(["HOME", "PATH", "PWD", "SHELL", "USER"], header.Environment.Keys);
        Assert.Equal("/home/ada/src/api", header.Environment["PWD"]);
        Assert.Equal(["deploy", "api"], header.Tags.ToArray());
        Assert.False(header.Recovered);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1769862000).AddTicks(1234560), header.Started);

        var commands = load.Session.Commands;
        Assert.Equal([0, 1, 2], commands.Select(c => c.Index));
        Assert.Equal("make test && ./scripts/deploy.sh --env \"staging\" > deploy.log", commands[1].Command);
        Assert.Equal(2, commands[1].ExitCode);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1769862041333), commands[1].Ended);
        Assert.Equal(TimeSpan.FromMilliseconds(31332), commands[1].Duration);
        Assert.Equal("for f in *.log; do\n  echo \"$f: café ✓\"\ndone", commands[2].Command);
        Assert.Equal("/home/ada/src/api/logs", commands[2].Cwd);

        var footer = Assert.IsType<SessionFooter>(load.Session.Footer);
        Assert.Equal(SessionStatus.Completed, footer.Status);
        Assert.Equal(3, footer.CommandCount);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1769862060).AddTicks(9876543), footer.Ended);
    }

    [Fact]
    public void A_rec_session_saved_by_stale_recovery_loads_as_recovered_and_interrupted()
    {
        var load = LoadFixture("rec-recovered.ndjson");

        Assert.True(load.IsClean);
        Assert.True(load.Session.Header.Recovered);
        Assert.Empty(load.Session.Header.Tags);
        Assert.Equal(SessionStatus.Interrupted, load.Session.Footer?.Status);
        Assert.Equal(130, load.Session.Commands[1].ExitCode);
    }

    [Fact]
    public void A_rec_session_still_being_recorded_loads_without_a_footer_and_with_its_running_command()
    {
        var load = LoadFixture("rec-recording.ndjson");

        Assert.True(load.IsClean);
        Assert.Null(load.Session.Footer);
        var running = load.Session.Commands[1];
        Assert.Equal("sleep 600", running.Command);
        Assert.Null(running.Ended);
        Assert.Null(running.ExitCode);
        Assert.Null(running.Duration);
    }

    [Fact]
    public void A_rec_session_cut_off_mid_line_loads_everything_before_the_torn_line_and_reports_it()
    {
        var load = LoadFixture("rec-torn.ndjson");

        Assert.Equal(2, load.Session.Commands.Length);
        var problem = Assert.Single(load.Problems);
        Assert.Equal(4, problem.Line);
        Assert.Equal(SessionProblemKinds.TornLine, problem.Kind);
        Assert.False(problem.IsDamage);
        Assert.Same(problem, load.TornLine);
    }

    [Fact]
    public void A_rec_session_with_a_corrupt_middle_line_reports_its_line_number_and_the_rest_loads()
    {
        var load = LoadFixture("rec-corrupt-middle.ndjson");

        Assert.Equal(["npm ci", "npm run build"], load.Session.Commands.Select(c => c.Command));
        Assert.Equal(SessionStatus.Completed, load.Session.Footer?.Status);
        Assert.Collection(
            load.Problems,
            corrupt =>
            {
                Assert.Equal(3, corrupt.Line);
                Assert.Equal(SessionProblemKinds.CorruptLine, corrupt.Kind);
                Assert.Contains("not valid JSON", corrupt.Detail, StringComparison.Ordinal);
            },
            mismatch =>
            {
                Assert.Equal(5, mismatch.Line);
                Assert.Equal(SessionProblemKinds.CountMismatch, mismatch.Kind);
                Assert.Contains("says 3 commands, and 2 were read", mismatch.Detail, StringComparison.Ordinal);
            });
    }

    [Fact]
    public void A_rec_session_loaded_and_written_again_reads_the_same_and_keeps_rec_fields()
    {
        var load = LoadFixture("rec-completed.ndjson");

        var text = SessionFormat.Write(load.Session);

        AssertSameSession(load.Session, SessionFormat.Parse(Lines(text), "again").Session);
        using var header = JsonDocument.Parse(text.Split('\n')[0]);
        Assert.Equal(
            ["type", "version", "id", "name", "shell", "os", "hostname", "env", "tags", "started_at"],
            header.RootElement.EnumerateObject().Select(p => p.Name));
    }

    // ---- Tolerance and damage ---------------------------------------------------------------------------------------

    [Fact]
    public void A_final_line_without_a_newline_that_is_complete_is_read_normally()
    {
        var text = SessionFormat.WriteHeader(SampleSession().Header) + "\n" + SessionFormat.WriteCommand(SampleSession().Commands[0]);

        var load = SessionFormat.Parse(new MemoryStream(Encoding.UTF8.GetBytes(text)), "no-final-newline");

        Assert.True(load.IsClean);
        Assert.Single(load.Session.Commands);
    }

    [Fact]
    public void A_garbled_last_line_that_did_end_with_a_newline_is_corruption_not_a_tear()
    {
        var text = HeaderLine() + "\n{\"type\":\"comm\n";

        var load = SessionFormat.Parse(new MemoryStream(Encoding.UTF8.GetBytes(text)), "f");

        var problem = Assert.Single(load.Problems);
        Assert.Equal((2, SessionProblemKinds.CorruptLine), (problem.Line, problem.Kind));
        Assert.True(problem.IsDamage);
    }

    [Fact]
    public void A_line_with_a_missing_or_mistyped_field_is_reported_naming_the_field()
    {
        var load = Parse(
            HeaderLine(),
            """{"type":"command","index":0,"cwd":"/","started_at":1.0}""",
            """{"type":"command","index":1,"command":"ls","cwd":"/","started_at":"yesterday"}""",
            """{"type":"command","index":2,"command":"ls","cwd":"/","started_at":2.0,"exit_code":1.5}""",
            """[1,2]""",
            """{"index":4}""",
            """{"type":"footer","ended_at":9.0,"command_count":0,"status":"recording"}""",
            """{"type":"command","index":3,"command":"pwd","cwd":"/","started_at":3.0}""");

        Assert.Equal("pwd", Assert.Single(load.Session.Commands).Command);
        Assert.Null(load.Session.Footer);
        Assert.All(load.Problems, p => Assert.Equal(SessionProblemKinds.CorruptLine, p.Kind));
        Assert.Equal([2, 3, 4, 5, 6, 7], load.Problems.Select(p => p.Line));
        Assert.Contains("no \"command\"", load.Problems[0].Detail, StringComparison.Ordinal);
        Assert.Contains("\"started_at\"", load.Problems[1].Detail, StringComparison.Ordinal);
        Assert.Contains("\"exit_code\"", load.Problems[2].Detail, StringComparison.Ordinal);
        Assert.Contains("not an object", load.Problems[3].Detail, StringComparison.Ordinal);
        Assert.Contains("\"type\"", load.Problems[4].Detail, StringComparison.Ordinal);
        Assert.Contains("'recording'", load.Problems[5].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Lines_of_unknown_kinds_and_unknown_fields_are_skipped_and_the_unknown_kinds_reported()
    {
        var load = Parse(
            HeaderLine().Replace("\"version\":2", "\"version\":2,\"future\":{\"x\":[1]}", StringComparison.Ordinal),
            """{"type":"marker","label":"deploy starts"}""",
            """{"type":"command","index":0,"command":"ls","cwd":"/","started_at":1.0,"output_bytes":12}""");

        Assert.Equal("ls", Assert.Single(load.Session.Commands).Command);
        var problem = Assert.Single(load.Problems);
        Assert.Equal((2, SessionProblemKinds.UnknownKind), (problem.Line, problem.Kind));
        Assert.False(problem.IsDamage);
    }

    [Fact]
    public void Null_optional_fields_missing_tags_blank_lines_and_exponent_times_are_accepted()
    {
        var load = Parse(
            """{"type":"header","version":2,"id":"i","name":"n","shell":null,"os":"linux","hostname":"h","env":{},"recovered":null,"started_at":1.7698608E9}""",
            "",
            """{"type":"command","index":0,"command":"ls","cwd":"/","started_at":1769860801,"ended_at":null,"exit_code":null,"duration_ms":null}""");

        Assert.True(load.IsClean);
        Assert.Null(load.Session.Header.Shell);
        Assert.Empty(load.Session.Header.Tags);
        Assert.Equal(Noon, load.Session.Header.Started);
        Assert.Equal(Noon.AddSeconds(1), load.Session.Commands[0].Started);
        Assert.Null(load.Session.Commands[0].ExitCode);
    }

    [Fact]
    public void A_second_header_and_an_earlier_footer_are_reported_as_out_of_place()
    {
        var load = Parse(
            HeaderLine(),
            """{"type":"footer","ended_at":5.0,"command_count":0,"status":"interrupted"}""",
            HeaderLine(),
            """{"type":"footer","ended_at":6.0,"command_count":0,"status":"completed"}""");

        Assert.Equal(SessionStatus.Completed, load.Session.Footer?.Status);
        Assert.Equal([(2, SessionProblemKinds.OutOfPlace), (3, SessionProblemKinds.OutOfPlace)], load.Problems.Select(p => (p.Line, p.Kind)));
    }

    [Fact]
    public void A_file_that_does_not_start_with_a_header_cannot_be_loaded_and_says_which_line()
    {
        var notHeader = Assert.Throws<SessionFormatException>(() => Parse("""{"type":"command","index":0,"command":"ls","cwd":"/","started_at":1.0}"""));
        var torn = Assert.Throws<SessionFormatException>(() => SessionFormat.Parse(new MemoryStream("{\"type\":\"hea"u8.ToArray()), "torn-header"));
        var empty = Assert.Throws<SessionFormatException>(() => SessionFormat.Parse(new MemoryStream(), "empty"));

        Assert.Equal(1, notHeader.Line);
        Assert.Contains("not a session header", notHeader.Message, StringComparison.Ordinal);
        Assert.Contains("incomplete", torn.Message, StringComparison.Ordinal);
        Assert.Equal(0, empty.Line);
        Assert.Contains("'empty'", empty.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Another_format_version_is_refused_naming_both_versions()
    {
        var error = Assert.Throws<SessionFormatException>(() => Parse(HeaderLine().Replace("\"version\":2", "\"version\":3", StringComparison.Ordinal)));

        Assert.Contains("version 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("version 2 only", error.Message, StringComparison.Ordinal);
    }

    // ---- Helpers ----------------------------------------------------------------------------------------------------

    internal static Session SampleSession() => new()
    {
        Header = new SessionHeader
        {
            Id = "0b5e1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d",
            Name = "sample",
            Shell = "bash",
            Os = "linux",
            Hostname = "host",
            Environment = ImmutableSortedDictionary.CreateRange(new Dictionary<string, string> { ["PATH"] = "/bin", ["LANG"] = "C.UTF-8" }),
            Tags = ["one", "two"],
            Recovered = true,
            Started = Noon.AddTicks(1_234_567),
        },
        Commands =
        [
            new RecordedCommand { Index = 0, Command = "echo \"hi\"", Cwd = "/home/a", Started = Noon.AddSeconds(1), Ended = Noon.AddSeconds(2).AddTicks(1), ExitCode = 0, Duration = TimeSpan.FromMilliseconds(1000) },
            new RecordedCommand { Index = 1, Command = "false", Cwd = "/", Started = Noon.AddSeconds(3), Ended = Noon.AddSeconds(4), ExitCode = 1, Duration = TimeSpan.FromMilliseconds(999) },
            new RecordedCommand { Index = 2, Command = "vim", Cwd = "/", Started = Noon.AddSeconds(5) },
        ],
        Footer = new SessionFooter { Ended = Noon.AddMinutes(1).AddTicks(3), CommandCount = 3, Status = SessionStatus.Completed },
    };

    /// <summary>Field-by-field equality: the model's collections compare by reference in the records' own Equals.</summary>
    internal static void AssertSameSession(Session expected, Session actual)
    {
        var empty = ImmutableSortedDictionary<string, string>.Empty;
        Assert.Equal(expected.Header with { Environment = empty, Tags = [] }, actual.Header with { Environment = empty, Tags = [] });
        Assert.Equal(expected.Header.Environment, actual.Header.Environment);
        // ImmutableArray's own Equals compares the underlying array by reference: compare the items.
        Assert.Equal(expected.Header.Tags.ToArray(), actual.Header.Tags.ToArray());
        Assert.Equal(expected.Commands.ToArray(), actual.Commands.ToArray());
        Assert.Equal(expected.Footer, actual.Footer);
    }

    internal static string FixturePath(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    private static SessionLoad LoadFixture(string name)
    {
        using var file = File.OpenRead(FixturePath(name));
        return SessionFormat.Parse(file, name);
    }

    private static string HeaderLine() => SessionFormat.WriteHeader(new SessionHeader { Id = "0b5e1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d", Name = "n", Started = Noon });

    private static SessionLoad Parse(params string[] lines) => SessionFormat.Parse(lines, "lines");

    private static string[] Lines(string text) => text.TrimEnd('\n').Split('\n');
}
