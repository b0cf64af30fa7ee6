using System.Text;
using System.Text.Json;

namespace Tether.Testing.Tests;

/// <summary>
/// The cassette file format (processkit's JSON, version 1; docs/formats/cassette.md): what a load refuses and how, how
/// an entry's outcome is decoded, and what a save writes.
/// </summary>
public sealed class CassetteFormatSpecs : IDisposable
{
    private const string ValidEntry = """{"program": "git", "args": ["status"], "stdout": "", "stderr": "", "code": 0}""";

    private readonly string _directory = Directory.CreateTempSubdirectory("tether-cassette-format-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    // ---------------------------------------------------------------- load errors

    [Fact]
    public void A_missing_cassette_is_reported_as_not_found()
    {
        // Arrange
        var path = Path.Combine(_directory, "missing.json");

        // Act
        var error = Assert.Throws<CassetteException>(() => Cassette.Load(path));

        // Assert
        Assert.Equal(CassetteProblem.NotFound, error.Problem);
        Assert.Equal(path, error.CassettePath);
        AssertOneLineNaming(path, error);
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void A_cassette_in_a_missing_directory_is_reported_as_not_found()
    {
        // Arrange
        var path = Path.Combine(_directory, "no-such-directory", "cassette.json");

        // Act
        var error = Assert.Throws<CassetteException>(() => Cassette.Load(path));

        // Assert
        Assert.Equal(CassetteProblem.NotFound, error.Problem);
        AssertOneLineNaming(path, error);
    }

    [Fact]
    public void A_directory_is_unreadable_not_missing()
    {
        // Arrange
        var path = Path.Combine(_directory, "a-directory.json");
        Directory.CreateDirectory(path);

        // Act
        var error = Assert.Throws<CassetteException>(() => Cassette.Load(path));

        // Assert
        Assert.Equal(CassetteProblem.Unreadable, error.Problem);
        AssertOneLineNaming(path, error);
    }

    [Fact]
    public void A_cassette_over_64_MiB_is_refused_as_too_large_without_being_read()
    {
        // Arrange: a sparse file one byte over the limit (nothing is written to disk but its length).
        var path = Path.Combine(_directory, "huge.json");
        using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
        {
            file.SetLength(Cassette.MaxFileBytes + 1);
        }

        // Act
        var error = Assert.Throws<CassetteException>(() => Cassette.Load(path));

        // Assert
        Assert.Equal(64L * 1024 * 1024, Cassette.MaxFileBytes);
        Assert.Equal(CassetteProblem.TooLarge, error.Problem);
        AssertOneLineNaming(path, error);
        Assert.Contains("64 MiB", error.Message, StringComparison.Ordinal);
        Assert.Equal(Cassette.MaxFileBytes + 1, new FileInfo(path).Length);
    }

    [Fact]
    public void Invalid_JSON_is_reported_with_its_line_and_column()
    {
        // Arrange: the stray comma is on line 4, column 6.
        var path = Write("broken.json", "{\n  \"version\": 1,\n  \"entries\": [\n    {,\n");

        // Act
        var error = Assert.Throws<CassetteException>(() => Cassette.Load(path));

        // Assert
        Assert.Equal(CassetteProblem.InvalidJson, error.Problem);
        AssertOneLineNaming(path, error);
        Assert.Contains("line 4, column 6", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_file_is_invalid_JSON()
    {
        // Arrange
        var path = Write("empty.json", "");

        // Act
        var error = Assert.Throws<CassetteException>(() => Cassette.Load(path));

        // Assert
        Assert.Equal(CassetteProblem.InvalidJson, error.Problem);
        AssertOneLineNaming(path, error);
    }

    [Theory]
    [InlineData("[]", "array")]
    [InlineData("\"cassette\"", "string")]
    [InlineData("1", "number")]
    [InlineData("null", "null")]
    public void A_document_that_is_not_an_object_is_rejected_naming_what_it_is(string json, string kind)
    {
        // Arrange
        var path = Write("not-an-object.json", json);

        // Act
        var error = Assert.Throws<CassetteException>(() => Cassette.Load(path));

        // Assert
        Assert.Equal(CassetteProblem.InvalidEntry, error.Problem);
        AssertOneLineNaming(path, error);
        Assert.Contains($"is a JSON {kind}, not an object", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cassette_without_a_version_is_rejected()
    {
        // Arrange
        var path = Write("no-version.json", """{"entries": []}""");

        // Act
        var error = Assert.Throws<CassetteException>(() => Cassette.Load(path));

        // Assert
        Assert.Equal(CassetteProblem.InvalidEntry, error.Problem);
        AssertOneLineNaming(path, error);
        Assert.Contains("has no \"version\"", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("5")]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("12345678901")]
    public void A_cassette_with_an_unknown_version_is_rejected_with_the_version_named(string version)
    {
        // Arrange: the version is checked first, so even an entry tether cannot read does not hide it.
        var path = Write("other-version.json", $$"""{"version": {{version}}, "entries": [{"future": true}]}""");

        // Act
        var error = Assert.Throws<CassetteException>(() => Cassette.Load(path));

        // Assert
        Assert.Equal(CassetteProblem.UnsupportedVersion, error.Problem);
        AssertOneLineNaming(path, error);
        Assert.Contains($"version {version} is not supported", error.Message, StringComparison.Ordinal);
        Assert.Contains("tether reads versions 1 to 4", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("this library", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_version_newer_than_tether_knows_is_refused_saying_what_to_do()
    {
        // Arrange
        var path = Write("newer.json", """{"version": 5, "entries": []}""");

        // Act
        var error = Assert.Throws<CassetteException>(() => Cassette.Load(path));

        // Assert
        Assert.Equal(CassetteProblem.UnsupportedVersion, error.Problem);
        AssertOneLineNaming(path, error);
        Assert.Contains("version 5 is not supported; tether reads versions 1 to 4", error.Message, StringComparison.Ordinal);
        Assert.Contains("update tether, or record it again with tether", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Every_version_from_1_to_4_is_read_and_reports_its_version(int version)
    {
        // Arrange
        var json = "{\"version\": " + version + ", \"entries\": [" + ValidEntry + "]}";

        // Act
        var cassette = Cassette.Parse(Encoding.UTF8.GetBytes(json));

        // Assert
        Assert.Equal(version, cassette.Version);
        Assert.Single(cassette.Entries);
    }

    [Theory]
    [InlineData("\"stdout_b64\": \"not base64!\"", "\"stdout_b64\" that is not base64")]
    [InlineData("\"stderr_b64\": 12", "\"stderr_b64\" that is not a string")]
    [InlineData("\"match_digest\": -1", "\"match_digest\" that is not an unsigned 64-bit number")]
    [InlineData("\"duration_ms\": 1.5", "\"duration_ms\" that is not a whole number")]
    [InlineData("\"truncated\": \"yes\"", "\"truncated\" that is not true or false")]
    [InlineData("\"error\": {\"kind\": \"Meteor\"}", "\"kind\": \"Meteor\", which tether does not know")]
    [InlineData("\"error\": {\"kind\": \"Spawn\", \"message\": \"x\"}", "\"error\" has no \"os_kind\"")]
    [InlineData("\"error\": {\"kind\": \"OutputTooLarge\", \"total_lines\": 1}", "\"error\" has no \"total_bytes\"")]
    [InlineData("\"error\": \"boom\"", "\"error\" that is not an object")]
    public void A_mistyped_field_of_a_later_version_is_rejected_naming_it(string field, string expected)
    {
        // Arrange
        var path = Write("later.json", "{\"version\": 4, \"entries\": [" + Entry("\"code\": null, " + field) + "]}");

        // Act
        var error = Assert.Throws<CassetteException>(() => Cassette.Load(path));

        // Assert
        Assert.Equal(CassetteProblem.InvalidEntry, error.Problem);
        AssertOneLineNaming(path, error);
        Assert.Contains("entry 0", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_entry_with_an_error_and_an_outcome_is_rejected()
    {
        // Arrange: processkit writes an error entry with code null and no other outcome.
        var path = Write("error-and-code.json", "{\"version\": 2, \"entries\": [" + Entry("\"code\": 1, \"error\": {\"kind\": \"Other\", \"message\": \"x\"}") + "]}");

        // Act
        var error = Assert.Throws<CassetteException>(() => Cassette.Load(path));

        // Assert
        Assert.Equal(CassetteProblem.InvalidEntry, error.Problem);
        Assert.Contains("entry 0 has both an \"error\" and one of", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"1\"")]
    [InlineData("1.5")]
    [InlineData("null")]
    [InlineData("true")]
    public void A_version_that_is_not_a_whole_number_is_rejected(string version)
    {
        // Arrange
        var path = Write("odd-version.json", $$"""{"version": {{version}}, "entries": []}""");

        // Act
        var error = Assert.Throws<CassetteException>(() => Cassette.Load(path));

        // Assert
        Assert.Equal(CassetteProblem.InvalidEntry, error.Problem);
        AssertOneLineNaming(path, error);
        Assert.Contains("\"version\"", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"version": 1}""")]
    [InlineData("""{"version": 1, "entries": {}}""")]
    [InlineData("""{"version": 1, "entries": null}""")]
    public void A_cassette_without_an_entries_array_is_rejected(string json)
    {
        // Arrange
        var path = Write("no-entries.json", json);

        // Act
        var error = Assert.Throws<CassetteException>(() => Cassette.Load(path));

        // Assert
        Assert.Equal(CassetteProblem.InvalidEntry, error.Problem);
        AssertOneLineNaming(path, error);
        Assert.Contains("\"entries\"", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"code\": 0, \"timed_out\": true")]
    [InlineData("\"code\": 0, \"signal\": 9")]
    [InlineData("\"code\": null, \"timed_out\": true, \"signal\": 9")]
    [InlineData("\"code\": 1, \"timed_out\": true, \"signal\": 15")]
    public void An_entry_that_ends_more_than_one_way_is_rejected_with_its_index(string outcome)
    {
        // Arrange: a good entry 0, then the bad entry 1.
        var path = Write("two-outcomes.json", Document(ValidEntry, Entry(outcome)));

        // Act
        var error = Assert.Throws<CassetteException>(() => Cassette.Load(path));

        // Assert
        Assert.Equal(CassetteProblem.InvalidEntry, error.Problem);
        AssertOneLineNaming(path, error);
        Assert.Contains("entry 1 sets more than one of \"code\", \"timed_out\" and \"signal\"", error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> WrongFieldTypes => new()
    {
        { """ "program": "git", "args": [], "stdout": "", "stderr": "", "code": 0 """, "" }, // control: valid
        { """ "args": [], "stdout": "", "stderr": "", "code": 0 """, "has no \"program\"" },
        { """ "program": 7, "args": [], "stdout": "", "stderr": "", "code": 0 """, "\"program\" that is not a string" },
        { """ "program": "", "args": [], "stdout": "", "stderr": "", "code": 0 """, "empty \"program\"" },
        { """ "program": "git", "stdout": "", "stderr": "", "code": 0 """, "has no \"args\" array" },
        { """ "program": "git", "args": "status", "stdout": "", "stderr": "", "code": 0 """, "\"args\" that is not an array of strings" },
        { """ "program": "git", "args": ["status", 1], "stdout": "", "stderr": "", "code": 0 """, "\"args\" item that is not a string" },
        { """ "program": "git", "args": [], "cwd": ["/"], "stdout": "", "stderr": "", "code": 0 """, "\"cwd\" that is not a string" },
        { """ "program": "git", "args": [], "stdin_digest": "12", "stdout": "", "stderr": "", "code": 0 """, "\"stdin_digest\" that is not an unsigned 64-bit number" },
        { """ "program": "git", "args": [], "stdin_digest": -1, "stdout": "", "stderr": "", "code": 0 """, "\"stdin_digest\" that is not an unsigned 64-bit number" },
        { """ "program": "git", "args": [], "stdin_digest": 1.5, "stdout": "", "stderr": "", "code": 0 """, "\"stdin_digest\" that is not an unsigned 64-bit number" },
        { """ "program": "git", "args": [], "stdin_digest": 18446744073709551616, "stdout": "", "stderr": "", "code": 0 """, "\"stdin_digest\" that is not an unsigned 64-bit number" },
        { """ "program": "git", "args": [], "has_stdin": "yes", "stdout": "", "stderr": "", "code": 0 """, "\"has_stdin\" that is not true or false" },
        { """ "program": "git", "args": [], "env_names": "PATH", "stdout": "", "stderr": "", "code": 0 """, "\"env_names\" that is not an array of strings" },
        { """ "program": "git", "args": [], "env_names": [null], "stdout": "", "stderr": "", "code": 0 """, "\"env_names\" item that is not a string" },
        { """ "program": "git", "args": [], "stderr": "", "code": 0 """, "has no \"stdout\"" },
        { """ "program": "git", "args": [], "stdout": ["x"], "stderr": "", "code": 0 """, "\"stdout\" that is not a string" },
        { """ "program": "git", "args": [], "stdout": "", "stderr": null, "code": 0 """, "\"stderr\" that is not a string" },
        { """ "program": "git", "args": [], "stdout": "", "stderr": "", "code": "0" """, "\"code\" that is not a 32-bit integer or null" },
        { """ "program": "git", "args": [], "stdout": "", "stderr": "", "code": 2.5 """, "\"code\" that is not a 32-bit integer or null" },
        { """ "program": "git", "args": [], "stdout": "", "stderr": "", "code": 4294967296 """, "\"code\" that is not a 32-bit integer or null" },
        { """ "program": "git", "args": [], "stdout": "", "stderr": "", "code": null, "timed_out": 1 """, "\"timed_out\" that is not true or false" },
        { """ "program": "git", "args": [], "stdout": "", "stderr": "", "code": null, "signal": "KILL" """, "\"signal\" that is not an integer or null" },
    };

    [Theory]
    [MemberData(nameof(WrongFieldTypes))]
    public void An_entry_with_a_missing_or_mistyped_field_is_rejected_naming_the_field(string fields, string expected)
    {
        // Arrange
        var path = Write("mistyped.json", Document(ValidEntry, "{" + fields + "}"));

        // Act
        var error = Record.Exception(() => Cassette.Load(path));

        // Assert
        if (expected.Length == 0)
        {
            Assert.Null(error);
            return;
        }

        var cassetteError = Assert.IsType<CassetteException>(error);
        Assert.Equal(CassetteProblem.InvalidEntry, cassetteError.Problem);
        AssertOneLineNaming(path, cassetteError);
        Assert.Contains("entry 1 ", cassetteError.Message, StringComparison.Ordinal);
        Assert.Contains(expected, cassetteError.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_entry_that_is_not_an_object_is_rejected()
    {
        // Arrange
        var path = Write("entry-array.json", Document(ValidEntry, "[\"git\"]"));

        // Act
        var error = Assert.Throws<CassetteException>(() => Cassette.Load(path));

        // Assert
        Assert.Equal(CassetteProblem.InvalidEntry, error.Problem);
        Assert.Contains("entry 1 is a JSON array, not an object", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_string_that_is_not_UTF_8_is_rejected_as_a_cassette_error()
    {
        // Regression (this spec found it): JsonDocument.Parse does not check the UTF-8 inside strings, and
        // JsonElement.GetString() then throws InvalidOperationException ("Cannot transcode invalid UTF-8 JSON text to
        // UTF-16 string"); Cassette.Load let that escape instead of a CassetteException naming the file.
        // Arrange: a Latin-1 "ü" (0xFC) inside "stdout", as a hand edit in the wrong encoding leaves it.
        var path = Path.Combine(_directory, "latin1.json");
        byte[] content = [.. Encoding.ASCII.GetBytes("{\"version\": 1, \"entries\": [{\"program\": \"git\", \"args\": [], \"stdout\": \"gr"), 0xFC, .. Encoding.ASCII.GetBytes("n\", \"stderr\": \"\", \"code\": 0}]}")];
        File.WriteAllBytes(path, content);

        // Act
        var error = Record.Exception(() => Cassette.Load(path));

        // Assert
        var cassetteError = Assert.IsType<CassetteException>(error);
        Assert.Equal(CassetteProblem.InvalidJson, cassetteError.Problem);
        AssertOneLineNaming(path, cassetteError);
    }

    [Fact]
    public void An_escaped_lone_surrogate_is_rejected_as_a_cassette_error()
    {
        // Regression (this spec found it): "\ud800" is well-formed JSON (Python's json.dumps writes it for a lone
        // surrogate; serde_json refuses to read it), but JsonElement.GetString() throws InvalidOperationException for
        // it, which Cassette.Load let escape instead of a CassetteException naming the file.
        // Arrange
        var path = Write("lone-surrogate.json", Document("{\"program\": \"git\", \"args\": [\"a\\ud800b\"], \"stdout\": \"\", \"stderr\": \"\", \"code\": 0}"));

        // Act
        var error = Record.Exception(() => Cassette.Load(path));

        // Assert
        var cassetteError = Assert.IsType<CassetteException>(error);
        Assert.Equal(CassetteProblem.InvalidJson, cassetteError.Problem);
        AssertOneLineNaming(path, cassetteError);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65)]
    [InlineData(-9)]
    [InlineData(255)]
    public void A_signal_number_out_of_range_is_rejected(int signal)
    {
        // Arrange
        var path = Write("bad-signal.json", Document(Entry($"\"code\": null, \"signal\": {signal}")));

        // Act
        var error = Assert.Throws<CassetteException>(() => Cassette.Load(path));

        // Assert
        Assert.Equal(CassetteProblem.InvalidEntry, error.Problem);
        AssertOneLineNaming(path, error);
        Assert.Contains($"\"signal\": {signal}", error.Message, StringComparison.Ordinal);
        Assert.Contains("1 to 64", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"version\": 1, \"entries\": [ {,")]
    [InlineData("{\"version\": 5, \"entries\": []}")]
    [InlineData("{\"version\": 1}")]
    [InlineData("{\"version\": 1, \"entries\": [{\"program\": \"git\", \"args\": [], \"stdout\": \"\", \"stderr\": \"\", \"code\": 0, \"signal\": 9}]}")]
    public void A_failed_load_never_changes_the_file(string content)
    {
        // Arrange
        var path = Write("bad.json", content);
        var before = File.ReadAllBytes(path);
        var modeBefore = File.GetUnixFileMode(path);

        // Act: a plain load, and every runner mode that loads the file.
        var errors = new List<Exception?> { Record.Exception(() => Cassette.Load(path)) };
        foreach (var mode in new[] { CassetteMode.Replay, CassetteMode.Once, CassetteMode.NewEpisodes })
        {
            errors.Add(Record.Exception(() => new RecordReplayRunner(path, mode, inner: new ScriptedRunner().Fallback(Reply.Ok("x"))).Dispose()));
        }

        // Assert
        Assert.All(errors, e => Assert.IsType<CassetteException>(e));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(modeBefore, File.GetUnixFileMode(path));
        Assert.Equal(["bad.json"], Directory.GetFiles(_directory).Select(Path.GetFileName));
    }

    // ---------------------------------------------------------------- outcome decoding

    public static TheoryData<string, Outcome> Outcomes => new()
    {
        { "\"code\": 0", new Outcome.Exited(0) },
        { "\"code\": 3", new Outcome.Exited(3) },
        { "\"code\": -1", new Outcome.Exited(-1) },
        { "\"code\": 0, \"timed_out\": false", new Outcome.Exited(0) },
        { "\"code\": 2, \"timed_out\": false, \"signal\": null", new Outcome.Exited(2) },
        { "\"code\": null, \"timed_out\": true", new Outcome.TimedOut(TimeoutKind.Overall, TimeSpan.Zero) },
        { "\"timed_out\": true", new Outcome.TimedOut(TimeoutKind.Overall, TimeSpan.Zero) },
        { "\"code\": null, \"timed_out\": true, \"signal\": null", new Outcome.TimedOut(TimeoutKind.Overall, TimeSpan.Zero) },
        { "\"code\": null, \"signal\": 9", new Outcome.Signalled(Signal.Kill) },
        { "\"signal\": 15", new Outcome.Signalled(new Signal(15)) },
        { "\"code\": null, \"timed_out\": false, \"signal\": 64", new Outcome.Signalled(new Signal(64)) },
        { "\"code\": null", new Outcome.Signalled(null) },
        { "\"code\": null, \"timed_out\": false", new Outcome.Signalled(null) },
        { "", new Outcome.Signalled(null) },
    };

    [Theory]
    [MemberData(nameof(Outcomes))]
    public void An_entry_outcome_is_decoded_timed_out_first_then_code_then_signal_else_an_unknown_signal(string fields, Outcome expected)
    {
        // Arrange
        var json = Document(Entry(fields));

        // Act
        var entry = Assert.Single(Cassette.Parse(Encoding.UTF8.GetBytes(json)).Entries);

        // Assert
        Assert.Equal(expected, entry.Outcome);
    }

    [Fact]
    public void Unknown_fields_are_ignored_at_every_level()
    {
        // Arrange
        var json = """
            {
              "version": 1,
              "generator": "processkit 9.9",
              "entries": [
                {
                  "program": "git",
                  "args": ["status"],
                  "duration_ms": 1234,
                  "stdout": "clean\n",
                  "stderr": "",
                  "code": 0,
                  "future": {"nested": [1, 2, {"deep": null}]}
                }
              ],
              "trailer": [true]
            }
            """;

        // Act
        var cassette = Cassette.Parse(Encoding.UTF8.GetBytes(json));

        // Assert
        var entry = Assert.Single(cassette.Entries);
        Assert.Equal("git", entry.Program);
        Assert.Equal<string>(["status"], entry.Arguments);
        Assert.Equal("clean\n", entry.Stdout);
        Assert.Equal(new Outcome.Exited(0), entry.Outcome);
    }

    [Fact]
    public void Optional_fields_given_as_null_read_as_absent()
    {
        // Arrange
        var json = Document(Entry("\"cwd\": null, \"stdin_digest\": null, \"has_stdin\": null, \"env_names\": null, \"code\": 0"));

        // Act
        var entry = Assert.Single(Cassette.Parse(Encoding.UTF8.GetBytes(json)).Entries);

        // Assert
        Assert.Null(entry.WorkingDirectory);
        Assert.Null(entry.StdinDigest);
        Assert.False(entry.HasStdin);
        Assert.Empty(entry.EnvironmentNames);
    }

    // ---------------------------------------------------------------- writing

    [Fact]
    public void Every_field_round_trips_exactly()
    {
        // Arrange
        CassetteEntry[] entries =
        [
            new()
            {
                Program = "/usr/bin/grüße-日本語",
                Arguments = ["--name=Zoë", "\"quoted\" and \\backslashed\\", "tab\there", "ctrl\u0001\u001b[31mred\u001b[0m\u007f", "line\r\nbreak", "emoji 🙂", "", "<html>&'"],
                WorkingDirectory = "/srv/répertoire with spaces",
                StdinDigest = ulong.MaxValue,
                HasStdin = true,
                EnvironmentNames = ["GIT_DIR", "LANG", "ÜBER"],
                Stdout = "ünïcödé\n\u0000nul and \u2028 separators\u2029\n",
                Stderr = "warning: \u0007bell\n",
                Outcome = new Outcome.Exited(255),
            },
            new()
            {
                Program = "true",
                Arguments = [],
                StdinDigest = 16597885345899070764, // above 2^53: a double would round it
                HasStdin = true,
                Outcome = new Outcome.Exited(0),
            },
            new() { Program = "slow", Arguments = ["x"], Stdout = "partial", Outcome = new Outcome.TimedOut(TimeoutKind.Overall, TimeSpan.Zero) },
            new() { Program = "killed", Stderr = "bye", Outcome = new Outcome.Signalled(Signal.Kill) },
            new() { Program = "unknown", Outcome = new Outcome.Signalled(null) },
            new() { Program = "negative", Outcome = new Outcome.Exited(-2) },
        ];

        // Act
        var json = new Cassette([.. entries]).ToJson();
        var read = Cassette.Parse(json).Entries;

        // Assert
        Assert.Equal(entries.Length, read.Length);
        for (var i = 0; i < entries.Length; i++)
        {
            AssertSameEntry(entries[i], read[i]);
        }

        Assert.Equal(ulong.MaxValue, read[0].StdinDigest);
        Assert.Equal(16597885345899070764UL, read[1].StdinDigest);
        Assert.Contains("\"stdin_digest\": 16597885345899070764", Encoding.UTF8.GetString(json), StringComparison.Ordinal);
    }

    [Fact]
    public void Text_is_written_as_UTF_8_with_only_what_JSON_requires_escaped()
    {
        // Arrange
        var entry = new CassetteEntry { Program = "echo", Arguments = ["grüße 日本語 <&>'", "a\"b\\c", "x\ny\u0001"], Outcome = new Outcome.Exited(0) };

        // Act
        var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(new Cassette([entry]).ToJson());

        // Assert: readable in a diff, not \u-escaped.
        Assert.Contains("\"grüße 日本語 <&>'\"", text, StringComparison.Ordinal);
        Assert.Contains("\"a\\\"b\\\\c\"", text, StringComparison.Ordinal);
        Assert.Contains("\"x\\ny\\u0001\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_entries_always_give_the_same_bytes()
    {
        // Arrange
        static CassetteEntry[] Entries() =>
        [
            new() { Program = "git", Arguments = ["log", "-1"], WorkingDirectory = "/repo", EnvironmentNames = ["A", "B"], Stdout = "commit abc\n", Outcome = new Outcome.Exited(0) },
            new() { Program = "sort", StdinDigest = 4996163940878704399, HasStdin = true, Stdout = "apple\nbanana\n", Outcome = new Outcome.Exited(0) },
            new() { Program = "sleep", Arguments = ["9"], Outcome = new Outcome.TimedOut(TimeoutKind.Overall, TimeSpan.Zero) },
        ];

        // Act
        var first = new Cassette([.. Entries()]).ToJson();
        var second = new Cassette([.. Entries()]).ToJson();
        var reparsed = new Cassette(Cassette.Parse(first).Entries).ToJson();

        // Assert
        Assert.Equal(first, second);
        Assert.Equal(first, reparsed);
        Assert.Equal((byte)'\n', first[^1]);
        Assert.DoesNotContain((byte)'\r', first);
    }

    [Fact]
    public void The_layout_is_two_space_indented_pretty_JSON_in_processkit_field_order()
    {
        // Arrange
        var entry = new CassetteEntry
        {
            Program = "sort",
            Arguments = ["-r"],
            WorkingDirectory = "/tmp",
            StdinDigest = 4996163940878704399,
            HasStdin = true,
            EnvironmentNames = ["LC_ALL"],
            Stdout = "b\na\n",
            Stderr = "",
            Outcome = new Outcome.Exited(0),
        };

        // Act
        var text = Encoding.UTF8.GetString(new Cassette([entry], version: 1).ToJson());

        // Assert
        Assert.Equal(
            """
            {
              "version": 1,
              "entries": [
                {
                  "program": "sort",
                  "args": [
                    "-r"
                  ],
                  "cwd": "/tmp",
                  "stdin_digest": 4996163940878704399,
                  "has_stdin": true,
                  "env_names": [
                    "LC_ALL"
                  ],
                  "stdout": "b\na\n",
                  "stderr": "",
                  "code": 0
                }
              ]
            }

            """,
            text);
    }

    [Fact]
    public void Version_4_puts_the_key_first_and_keys_the_working_directory_through_match_digest()
    {
        // Arrange: the same entry as above, written in the version a new cassette gets.
        var entry = new CassetteEntry
        {
            Program = "sort",
            Arguments = ["-r"],
            WorkingDirectory = "/tmp",
            StdinDigest = 4996163940878704399,
            HasStdin = true,
            EnvironmentNames = ["LC_ALL"],
            Stdout = "b\na\n",
            Stderr = "",
            Outcome = new Outcome.Exited(0),
        };

        // Act
        var text = Encoding.UTF8.GetString(new Cassette([entry]).ToJson());

        // Assert: processkit's version 4 order; match_digest is processkit's match_on_cwd() digest of "/tmp".
        Assert.Equal(
            $$"""
            {
              "version": 4,
              "entries": [
                {
                  "program": "sort",
                  "args": [
                    "-r"
                  ],
                  "stdin_digest": 4996163940878704399,
                  "match_digest": {{CwdPolicyDigest("/tmp")}},
                  "cwd": "/tmp",
                  "has_stdin": true,
                  "env_names": [
                    "LC_ALL"
                  ],
                  "stdout": "b\na\n",
                  "stderr": "",
                  "code": 0
                }
              ]
            }

            """,
            text);
    }

    [Fact]
    public void An_empty_cassette_is_written_with_an_empty_entries_array()
    {
        // Act
        var text = Encoding.UTF8.GetString(new Cassette([]).ToJson());

        // Assert: a new cassette is written in the newest version both Tether and processkit read.
        Assert.Equal("{\n  \"version\": 4,\n  \"entries\": []\n}\n", text);
        Assert.Empty(Cassette.Parse(Encoding.UTF8.GetBytes(text)).Entries);
    }

    [Fact]
    public async Task Saving_the_same_recording_twice_gives_byte_identical_files()
    {
        // Arrange
        var first = Path.Combine(_directory, "first.json");
        var second = Path.Combine(_directory, "second.json");
        byte[] once, twice;
        using (var runner = new RecordReplayRunner(first, CassetteMode.Record, inner: Inner()))
        {
            await RecordSomeAsync(runner);

            // Act
            runner.Save();
            once = await File.ReadAllBytesAsync(first);
            runner.Save();
            twice = await File.ReadAllBytesAsync(first);
        }

        using (var again = new RecordReplayRunner(second, CassetteMode.Record, inner: Inner()))
        {
            await RecordSomeAsync(again);
            again.Save();
        }

        // Assert
        Assert.Equal(once, twice);
        Assert.Equal(once, await File.ReadAllBytesAsync(first));
        Assert.Equal(once, await File.ReadAllBytesAsync(second));

        static ScriptedRunner Inner() => new ScriptedRunner()
            .On("git", Reply.Ok("main\n"))
            .On("make", Reply.Fail(2, "make: *** no rule\n"))
            .Fallback(Reply.Signalled(Signal.Terminate));

        static async Task RecordSomeAsync(RecordReplayRunner runner)
        {
            await runner.OutputStringAsync(new Command("git").WithArguments("branch", "--show-current").WithWorkingDirectory("/repo")).Soon();
            await runner.OutputStringAsync(new Command("make").WithArguments("all").WithEnvironmentVariable("CC", "gcc").WithEnvironmentVariable("AR", "ar")).Soon();
            await runner.OutputStringAsync(new Command("sort").WithStdin("b\na\n")).Soon();
        }
    }

    [Fact]
    public void An_entry_that_did_not_exit_is_written_with_code_null()
    {
        // Arrange
        CassetteEntry[] entries =
        [
            new() { Program = "a", Outcome = new Outcome.TimedOut(TimeoutKind.Idle, TimeSpan.FromSeconds(3)) },
            new() { Program = "b", Outcome = new Outcome.Signalled(Signal.Terminate) },
            new() { Program = "c", Outcome = new Outcome.Signalled(null) },
            new() { Program = "d", Outcome = new Outcome.Exited(7) },
        ];

        // Act
        using var document = JsonDocument.Parse(new Cassette([.. entries]).ToJson());
        var written = document.RootElement.GetProperty("entries").EnumerateArray().ToArray();

        // Assert
        Assert.Equal(JsonValueKind.Null, written[0].GetProperty("code").ValueKind);
        Assert.True(written[0].GetProperty("timed_out").GetBoolean());
        Assert.False(written[0].TryGetProperty("signal", out _));

        Assert.Equal(JsonValueKind.Null, written[1].GetProperty("code").ValueKind);
        Assert.Equal(15, written[1].GetProperty("signal").GetInt32());
        Assert.False(written[1].TryGetProperty("timed_out", out _));

        Assert.Equal(JsonValueKind.Null, written[2].GetProperty("code").ValueKind);
        Assert.False(written[2].TryGetProperty("signal", out _));
        Assert.False(written[2].TryGetProperty("timed_out", out _));

        Assert.Equal(7, written[3].GetProperty("code").GetInt32());
        Assert.False(written[3].TryGetProperty("signal", out _));
        Assert.False(written[3].TryGetProperty("timed_out", out _));
    }

    [Fact]
    public void A_timeout_is_stored_without_its_kind_or_duration()
    {
        // Arrange: processkit's format has no place for them; the replaying command's own timeout is reported instead.
        var entry = new CassetteEntry { Program = "slow", Outcome = new Outcome.TimedOut(TimeoutKind.Idle, TimeSpan.FromSeconds(3)) };

        // Act
        var read = Assert.Single(Cassette.Parse(new Cassette([entry]).ToJson()).Entries);

        // Assert
        Assert.Equal(new Outcome.TimedOut(TimeoutKind.Overall, TimeSpan.Zero), read.Outcome);
    }

    [Fact]
    public void Fields_that_are_not_set_are_left_out()
    {
        // Arrange
        var entry = new CassetteEntry { Program = "true", Outcome = new Outcome.Exited(0) };

        // Act
        using var document = JsonDocument.Parse(new Cassette([entry], version: 1).ToJson());
        var written = Assert.Single(document.RootElement.GetProperty("entries").EnumerateArray().ToArray());
        using var newest = JsonDocument.Parse(new Cassette([entry]).ToJson());
        var writtenNewest = Assert.Single(newest.RootElement.GetProperty("entries").EnumerateArray().ToArray());

        // Assert: in version 4 the working directory (here: none) is keyed through match_digest, on every entry.
        Assert.Equal(["program", "args", "stdout", "stderr", "code"], written.EnumerateObject().Select(p => p.Name));
        Assert.Equal(0, written.GetProperty("args").GetArrayLength());
        Assert.Equal(["program", "args", "match_digest", "stdout", "stderr", "code"], writtenNewest.EnumerateObject().Select(p => p.Name));
        Assert.Equal(CwdPolicyDigest(null), writtenNewest.GetProperty("match_digest").GetUInt64());
    }

    [Fact]
    public async Task Lone_surrogates_in_arguments_are_stored_as_U_FFFD_and_the_entry_still_replays()
    {
        // Arrange: a lone surrogate is legal in a .NET string but not in UTF-8 (and so not in the file).
        var path = Path.Combine(_directory, "surrogates.json");
        var command = new Command("tool\uDC00").WithArguments("high\uD800", "low\uDC01x", "pair🙂ok").WithWorkingDirectory("/srv/\uD83D");
        using (var recorder = new RecordReplayRunner(path, CassetteMode.Record, inner: new ScriptedRunner().Fallback(Reply.Ok("x"))))
        {
            await recorder.OutputStringAsync(command).Soon();
            recorder.Save();
        }

        // Act
        var bytes = await File.ReadAllBytesAsync(path);
        var entry = Assert.Single(Cassette.Load(path).Entries);
        string replayed;
        using (var replayer = new RecordReplayRunner(path, CassetteMode.Replay))
        {
            replayed = await replayer.RunAsync(command).Soon();
        }

        // Assert
        _ = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes); // the file is valid UTF-8
        Assert.Equal("tool\uFFFD", entry.Program);
        Assert.Equal<string>(["high\uFFFD", "low\uFFFDx", "pair🙂ok"], entry.Arguments);
        Assert.Equal("/srv/\uFFFD", entry.WorkingDirectory);
        Assert.Equal("x", replayed);
    }

    [Fact]
    public async Task Lone_surrogates_in_output_are_stored_as_U_FFFD()
    {
        // Arrange: an inner runner that hands back text a decoder would never produce.
        var path = Path.Combine(_directory, "surrogate-output.json");
        var inner = new TextRunner("out\uD800put", "err\uDFFF");
        using (var recorder = new RecordReplayRunner(path, CassetteMode.Record, inner: inner))
        {
            await recorder.OutputStringAsync(new Command("tool")).Soon();

            // Act
            recorder.Save();
        }

        // Assert
        var entry = Assert.Single(Cassette.Load(path).Entries);
        Assert.Equal("out\uFFFDput", entry.Stdout);
        Assert.Equal("err\uFFFD", entry.Stderr);
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>processkit's match_on_cwd() digest, computed here from its definition rather than with the library's code.</summary>
    internal static ulong CwdPolicyDigest(string? cwd)
    {
        byte[] bytes = cwd is null ? [.. "cwd\0"u8, 0] : [.. "cwd\0"u8, 1, .. Encoding.UTF8.GetBytes(cwd)];
        var hash = 0xcbf29ce484222325UL;
        foreach (var b in bytes)
        {
            hash = unchecked((hash ^ b) * 0x100000001b3UL);
        }

        return hash;
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, content, new UTF8Encoding(false));
        return path;
    }

    private static string Entry(string outcomeFields) =>
        "{\"program\": \"git\", \"args\": [\"status\"], \"stdout\": \"\", \"stderr\": \"\"" + (outcomeFields.Length == 0 ? "" : ", " + outcomeFields) + "}";

    private static string Document(params string[] entries) => "{\"version\": 1, \"entries\": [" + string.Join(", ", entries) + "]}";

    private static void AssertOneLineNaming(string path, CassetteException error)
    {
        Assert.DoesNotContain('\n', error.Message);
        Assert.Contains($"'{path}'", error.Message, StringComparison.Ordinal);
    }

    private static void AssertSameEntry(CassetteEntry expected, CassetteEntry actual)
    {
        Assert.Equal(expected.Program, actual.Program);
        Assert.Equal<string>(expected.Arguments, actual.Arguments);
        Assert.Equal(expected.WorkingDirectory, actual.WorkingDirectory);
        Assert.Equal(expected.StdinDigest, actual.StdinDigest);
        Assert.Equal(expected.HasStdin, actual.HasStdin);
        Assert.Equal<string>(expected.EnvironmentNames, actual.EnvironmentNames);
        Assert.Equal(expected.Stdout, actual.Stdout);
        Assert.Equal(expected.Stderr, actual.Stderr);
        Assert.Equal(expected.Outcome, actual.Outcome);
    }

    /// <summary>An inner runner that answers the string verb with fixed text, as no decoder would produce it.</summary>
    private sealed class TextRunner(string stdout, string stderr) : IProcessRunner
    {
        public Task<RunningProcess> StartAsync(Pipeline pipeline, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("Only the string verb is used here.");

        public Task<ProcessResult<byte[]>> OutputBytesAsync(Pipeline pipeline, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("Only the string verb is used here.");

        public Task<ProcessResult<string>> OutputStringAsync(Pipeline pipeline, CancellationToken cancellationToken = default) =>
            Task.FromResult(new ProcessResult<string>
            {
                Program = pipeline.First.Program,
                Stdout = stdout,
                Stderr = stderr,
                Outcome = new Outcome.Exited(0),
                Duration = TimeSpan.Zero,
            });
    }
}
