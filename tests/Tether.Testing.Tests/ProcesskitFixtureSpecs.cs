using System.Text;
using System.Text.Json;

namespace Tether.Testing.Tests;

/// <summary>
/// Compatibility with processkit both ways: cassettes written exactly as processkit writes them (Fixtures/*.json:
/// serde_json's pretty layout, <c>code: null</c> for non-exits, stdin digests from processkit's algorithm) load and
/// replay, in every version processkit has written (1 to 4, each keyed as processkit keyed it); a cassette Tether writes
/// passes a strict reader of the version 4 schema.
/// </summary>
public sealed class ProcesskitFixtureSpecs : IDisposable
{
    private static readonly Encoding Utf8 = new UTF8Encoding(false);

    private readonly string _directory = Directory.CreateTempSubdirectory("tether-processkit-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    // ---------------------------------------------------------------- loading

    [Fact]
    public void The_exits_fixture_loads_with_every_field()
    {
        // Act
        var entries = Cassette.Load(Fixture("processkit-exits.json")).Entries;

        // Assert
        Assert.Equal(3, entries.Length);
        Assert.Equal("git", entries[0].Program);
        Assert.Equal<string>(["rev-parse", "HEAD"], entries[0].Arguments);
        Assert.Null(entries[0].WorkingDirectory);
        Assert.Null(entries[0].StdinDigest);
        Assert.False(entries[0].HasStdin);
        Assert.Empty(entries[0].EnvironmentNames);
        Assert.Equal("3f2a9c1e5b7d\n", entries[0].Stdout);
        Assert.Equal(new Outcome.Exited(0), entries[0].Outcome);

        Assert.Equal("/srv/repo", entries[1].WorkingDirectory);
        Assert.Equal<string>(["GIT_DIR", "LANG"], entries[1].EnvironmentNames);
        Assert.Equal("fatal: not a git repository (or any of the parent directories): .git\n", entries[1].Stderr);
        Assert.Equal(new Outcome.Exited(128), entries[1].Outcome);

        Assert.Equal("true", entries[2].Program);
        Assert.Empty(entries[2].Arguments);
    }

    [Fact]
    public void The_timeouts_and_signals_fixture_decodes_each_way_of_ending()
    {
        // Act
        var entries = Cassette.Load(Fixture("processkit-timeouts-and-signals.json")).Entries;

        // Assert
        Assert.Equal(
            [new Outcome.TimedOut(TimeoutKind.Overall, TimeSpan.Zero), new Outcome.Signalled(Signal.Kill), new Outcome.Signalled(null)],
            entries.Select(e => e.Outcome));
        Assert.Equal(["timed out", "signal 9 (SIGKILL)", "signal ?"], entries.Select(e => e.OutcomeText));
    }

    [Fact]
    public void The_stdin_fixture_holds_the_digests_processkit_computes()
    {
        // Arrange: the digests in the file, read as a strict reader would.
        using var document = JsonDocument.Parse(File.ReadAllBytes(Fixture("processkit-stdin.json")));
        var written = document.RootElement.GetProperty("entries").EnumerateArray()
            .Select(e => e.TryGetProperty("stdin_digest", out var d) ? d.GetUInt64() : (ulong?)null)
            .ToArray();

        // Act
        var loaded = Cassette.Load(Fixture("processkit-stdin.json")).Entries.Select(e => e.StdinDigest).ToArray();

        // Assert: tag 1 + the UTF-8 text; tag 2 + the path.
        ulong?[] expected = [Tagged(1, "SELECT 1;\n"), Tagged(1, "banana\napple\n"), Tagged(2, "/dev/null"), null];
        Assert.Equal(expected, written);
        Assert.Equal(expected, loaded);
    }

    // ---------------------------------------------------------------- replaying

    [Fact]
    public async Task Recorded_exits_replay_with_their_output_and_code()
    {
        // Arrange
        using var runner = Replayer("processkit-exits.json");

        // Act
        var head = await runner.RunAsync(new Command("git").WithArguments("rev-parse", "HEAD")).Soon();
        var status = await runner.OutputStringAsync(new Command("git").WithArguments("status", "--porcelain").WithWorkingDirectory("/srv/repo")).Soon();
        var failure = await Assert.ThrowsAsync<NonZeroExitException>(() => runner.RunAsync(new Command("git").WithArguments("status", "--porcelain").WithWorkingDirectory("/srv/repo"))).Soon();
        var nothing = await runner.OutputStringAsync(new Command("true")).Soon();

        // Assert
        Assert.Equal("3f2a9c1e5b7d", head);
        Assert.Equal(new Outcome.Exited(128), status.Outcome);
        Assert.Equal("", status.Stdout);
        Assert.StartsWith("fatal: not a git repository", status.Stderr, StringComparison.Ordinal);
        Assert.Equal(128, failure.ExitCode);
        Assert.Equal(new Outcome.Exited(0), nothing.Outcome);
    }

    [Fact]
    public async Task The_environment_is_not_part_of_the_key_but_the_working_directory_is()
    {
        // Arrange
        using var runner = Replayer("processkit-exits.json");
        var status = new Command("git").WithArguments("status", "--porcelain");

        // Act
        var withOtherEnvironment = await runner.OutputStringAsync(status.WithWorkingDirectory("/srv/repo").WithEnvironmentVariable("LANG", "C")).Soon();
        var elsewhere = await Record.ExceptionAsync(() => runner.OutputStringAsync(status.WithWorkingDirectory("/srv/other")));
        var nowhere = await Record.ExceptionAsync(() => runner.OutputStringAsync(status));

        // Assert
        Assert.Equal(new Outcome.Exited(128), withOtherEnvironment.Outcome);
        Assert.IsType<CassetteMissException>(elsewhere);
        Assert.IsType<CassetteMissException>(nowhere);
    }

    [Fact]
    public async Task A_recorded_timeout_replays_as_a_timeout_of_the_replaying_command()
    {
        // Arrange
        using var runner = Replayer("processkit-timeouts-and-signals.json");
        var timeout = TimeSpan.FromMinutes(10);
        var build = new Command("cargo").WithArguments("build", "--release").WithTimeout(timeout);

        // Act
        var error = await Assert.ThrowsAsync<TimedOutException>(() => runner.RunAsync(build)).Soon();
        var result = await runner.OutputStringAsync(build).Soon();

        // Assert
        Assert.Equal(new Outcome.TimedOut(TimeoutKind.Overall, timeout), error.Result.Outcome);
        Assert.Equal(new Outcome.TimedOut(TimeoutKind.Overall, timeout), result.Outcome);
        Assert.Equal("   Compiling tether v0.1.0\n", result.Stdout);
        Assert.False(result.IsSuccess);
    }

    [Fact]
    public async Task A_recorded_timeout_replays_as_an_idle_timeout_when_that_is_the_only_timeout()
    {
        // Arrange
        using var runner = Replayer("processkit-timeouts-and-signals.json");
        var idle = TimeSpan.FromMinutes(3);

        // Act
        var result = await runner.OutputStringAsync(new Command("cargo").WithArguments("build", "--release").WithIdleTimeout(idle)).Soon();

        // Assert
        Assert.Equal(new Outcome.TimedOut(TimeoutKind.Idle, idle), result.Outcome);
    }

    [Fact]
    public async Task A_recorded_signal_replays_with_its_number_and_an_unrecorded_one_as_unknown()
    {
        // Arrange
        using var runner = Replayer("processkit-timeouts-and-signals.json");
        var once = new Command("worker").WithArguments("--once");
        var crash = new Command("worker").WithArguments("--crash");

        // Act
        var killed = await runner.OutputStringAsync(once).Soon();
        var killedError = await Assert.ThrowsAsync<SignalledException>(() => runner.RunAsync(once)).Soon();
        var crashed = await runner.OutputStringAsync(crash).Soon();
        var crashedError = await Assert.ThrowsAsync<SignalledException>(() => runner.RunAsync(crash)).Soon();

        // Assert
        Assert.Equal(new Outcome.Signalled(Signal.Kill), killed.Outcome);
        Assert.Equal("worker: got SIGKILL\n", killed.Stderr);
        Assert.Equal(Signal.Kill, killedError.Signal);
        Assert.Equal(new Outcome.Signalled(null), crashed.Outcome);
        Assert.Null(crashedError.Signal);
        Assert.Contains("unknown signal", crashedError.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stdin_given_as_a_string_matches_the_entry_processkit_keyed()
    {
        // Arrange
        using var runner = Replayer("processkit-stdin.json");

        // Act
        var query = await runner.RunAsync(new Command("psql").WithArguments("-At").WithStdin("SELECT 1;\n")).Soon();
        var sorted = await runner.OutputStringAsync(new Command("sort").WithStdin("banana\napple\n")).Soon();
        var sortedFromBytes = await runner.OutputStringAsync(new Command("sort").WithStdin(StandardInput.FromBytes(Utf8.GetBytes("banana\napple\n")))).Soon();
        var withoutStdin = await runner.OutputStringAsync(new Command("sort")).Soon();
        var otherStdin = await Record.ExceptionAsync(() => runner.OutputStringAsync(new Command("sort").WithStdin("cherry\n")));

        // Assert
        Assert.Equal("1", query);
        Assert.Equal("apple\nbanana\n", sorted.Stdout);
        Assert.Equal("apple\nbanana\n", sortedFromBytes.Stdout);
        Assert.Equal("", withoutStdin.Stdout);
        Assert.IsType<CassetteMissException>(otherStdin);
    }

    [Fact]
    public async Task Stdin_from_a_file_matches_the_entry_processkit_keyed_on_its_absolute_path()
    {
        // Arrange
        using var runner = Replayer("processkit-stdin.json");

        // Act
        var count = await runner.RunAsync(new Command("wc").WithArguments("-c").WithStdin(StandardInput.FromFile("/dev/null"))).Soon();

        // Assert
        Assert.Equal("0", count);
    }

    [Theory]
    [InlineData("processkit-exits.json")]
    [InlineData("processkit-timeouts-and-signals.json")]
    [InlineData("processkit-stdin.json")]
    [InlineData("processkit-v1-every-field.json")]
    [InlineData("processkit-v2-errors.json")]
    [InlineData("processkit-v4-match-policy.json")]
    public async Task A_processkit_cassette_saved_again_by_Tether_keeps_its_layout(string name)
    {
        // Arrange: processkit writes serde_json's pretty layout; Tether writes the same, plus a final newline.
        var path = Copy(name);
        var original = await File.ReadAllTextAsync(path);

        // Act: open it to add episodes, add none, save.
        using (var runner = new RecordReplayRunner(path, CassetteMode.NewEpisodes, inner: new ScriptedRunner()))
        {
            runner.Save();
        }

        // Assert
        Assert.Equal(original.TrimEnd('\n') + "\n", await File.ReadAllTextAsync(path));
    }

    // ---------------------------------------------------------------- versions 1 to 4

    [Fact]
    public void Version_1_loads_every_field_it_has()
    {
        // Act
        var cassette = Cassette.Load(Fixture("processkit-v1-every-field.json"));
        var entries = cassette.Entries;

        // Assert
        Assert.Equal(1, cassette.Version);
        Assert.Equal(4, entries.Length);
        Assert.Equal("/srv/repo", entries[0].WorkingDirectory);
        Assert.True(entries[0].MatchesWorkingDirectory);
        Assert.Equal(Tagged(1, "hi\n"), entries[0].StdinDigest);
        Assert.True(entries[0].HasStdin);
        Assert.Equal<string>(["CC", "MAKEFLAGS"], entries[0].EnvironmentNames);
        Assert.Equal("ok 1\nok 2\n", entries[0].Stdout);
        Assert.Equal(TimeSpan.FromMilliseconds(1520), entries[0].Duration);
        Assert.True(entries[1].Truncated);
        Assert.Equal(2, entries[1].TotalLines);
        Assert.Equal(4, entries[1].TotalBytes);
        Assert.Equal(new Outcome.Signalled(Signal.Terminate), entries[2].Outcome);
        Assert.Equal(new Outcome.TimedOut(TimeoutKind.Overall, TimeSpan.Zero), entries[3].Outcome);
        Assert.All(entries, e => Assert.Null(e.Failure));
        Assert.All(entries, e => Assert.Null(e.MatchDigest));
    }

    [Fact]
    public async Task Version_1_keys_on_the_working_directory_and_replays_every_field()
    {
        // Arrange
        using var runner = Replayer("processkit-v1-every-field.json");
        var make = new Command("make").WithArguments("test").WithStdin("hi\n");

        // Act
        var inRepo = await runner.RunAsync(make.WithWorkingDirectory("/srv/repo")).Soon();
        var elsewhere = await Record.ExceptionAsync(() => runner.RunAsync(make.WithWorkingDirectory("/srv/other")));
        var cut = await runner.OutputStringAsync(new Command("yes")).Soon();
        var cutBytes = await runner.OutputBytesAsync(new Command("yes")).Soon();
        var terminated = await runner.OutputStringAsync(new Command("worker").WithArguments("--once")).Soon();

        // Assert: a cut output replays as cut, so nobody takes it for the whole.
        Assert.Equal("ok 1\nok 2", inRepo);
        Assert.IsType<CassetteMissException>(elsewhere);
        Assert.Equal("y\ny\n", cut.Stdout);
        Assert.True(cut.Truncated);
        Assert.True(cutBytes.Truncated);
        Assert.Equal(new Outcome.Signalled(Signal.Terminate), terminated.Outcome);
        Assert.Equal("worker: got SIGTERM\n", terminated.Stderr);
    }

    [Fact]
    public async Task A_cut_output_is_not_replayed_as_a_whole_by_a_started_process()
    {
        // Arrange
        using var runner = Replayer("processkit-v1-every-field.json");

        // Act
        var error = await Assert.ThrowsAsync<NotSupportedException>(() => runner.StartAsync(new Command("yes"))).Soon();

        // Assert
        Assert.DoesNotContain('\n', error.Message);
        Assert.Contains("cut to a limit", error.Message, StringComparison.Ordinal);
        Assert.Contains("OutputStringAsync", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Version_2_loads_a_recorded_error_of_every_kind()
    {
        // Act
        var cassette = Cassette.Load(Fixture("processkit-v2-errors.json"));
        var entries = cassette.Entries;

        // Assert
        Assert.Equal(2, cassette.Version);
        Assert.Null(entries[0].Failure);
        Assert.Equal(TimeSpan.FromMilliseconds(12), entries[0].Duration);
        Assert.Equal(["Spawn", "NotFound", "NotFound", "Stdin", "OutputTooLarge", "Unsupported", "Io", "Other"], entries.Skip(1).Select(e => e.Failure!.Kind));
        Assert.Equal(new CassetteFailure { Kind = "Spawn", OsKind = "PermissionDenied", Message = "Permission denied (os error 13)" }, entries[1].Failure);
        Assert.Equal("/usr/local/bin:/usr/bin:/bin", entries[2].Failure!.Searched);
        Assert.Null(entries[3].Failure!.Searched);
        Assert.Equal(new CassetteFailure { Kind = "Stdin", OsKind = "Other", Message = "stdin writer failed" }, entries[4].Failure);
        Assert.Equal(new CassetteFailure { Kind = "OutputTooLarge", MaxBytes = 1048576, TotalLines = 20000, TotalBytes = 1048577 }, entries[5].Failure);
        Assert.Equal("cpu affinity on this platform", entries[6].Failure!.Operation);
        Assert.Equal(new CassetteFailure { Kind = "Io", OsKind = "BrokenPipe", Message = "pipe closed" }, entries[7].Failure);
        Assert.Equal("something else failed", entries[8].Failure!.Message);
        Assert.Equal("program not found", entries[2].OutcomeText);
    }

    [Fact]
    public async Task Version_2_replays_each_recorded_error_as_the_exception_a_live_run_throws()
    {
        // Arrange
        using var runner = Replayer("processkit-v2-errors.json");

        // Act
        var deploy = await runner.RunAsync(new Command("deploy").WithArguments("--dry-run").WithWorkingDirectory("/srv/app")).Soon();
        var spawn = await Assert.ThrowsAsync<SpawnFailedException>(() => runner.RunAsync(new Command("./build.sh").WithWorkingDirectory("/srv/app"))).Soon();
        var notFound = await Assert.ThrowsAsync<ProgramNotFoundException>(() => runner.OutputStringAsync(new Command("nosuchtool").WithArguments("--version"))).Soon();
        var notFoundAnywhere = await Assert.ThrowsAsync<ProgramNotFoundException>(() => runner.StartAsync(new Command("frobnicate"))).Soon();
        var stdin = await Assert.ThrowsAsync<ProcessIOException>(() => runner.RunAsync(new Command("psql").WithArguments("-f", "-").WithStdin("SELECT 1;\n"))).Soon();
        var tooLarge = await Assert.ThrowsAsync<OutputTooLargeException>(() => runner.OutputBytesAsync(new Command("cat").WithArguments("huge.log"))).Soon();
        var unsupported = await Assert.ThrowsAsync<UnsupportedException>(() => runner.RunAsync(new Command("taskset").WithArguments("-c", "0", "true"))).Soon();
        var io = await Assert.ThrowsAsync<ProcessIOException>(() => runner.RunAsync(new Command("git").WithArguments("fetch"))).Soon();
        var other = await Assert.ThrowsAsync<ProcessIOException>(() => runner.RunAsync(new Command("tool").WithArguments("--other"))).Soon();
        var spawnElsewhere = await Record.ExceptionAsync(() => runner.RunAsync(new Command("./build.sh").WithWorkingDirectory("/srv/other")));

        // Assert: version 2 still keys on the working directory.
        Assert.Equal("plan: 3 changes", deploy);
        Assert.Equal(13, spawn.Errno);
        Assert.Equal("Permission denied (os error 13)", spawn.Reason);
        Assert.Equal("nosuchtool", notFound.Program);
        Assert.Equal(["/usr/local/bin:/usr/bin:/bin"], notFound.SearchedPaths);
        Assert.Empty(notFoundAnywhere.SearchedPaths);
        Assert.Contains("stdin writer failed", stdin.Message, StringComparison.Ordinal);
        Assert.Equal(1048576, tooLarge.Limit);
        Assert.Equal("cpu affinity on this platform", unsupported.Reason);
        Assert.Contains("pipe closed", io.Message, StringComparison.Ordinal);
        Assert.Contains("something else failed", other.Message, StringComparison.Ordinal);
        Assert.IsType<CassetteMissException>(spawnElsewhere);
    }

    [Fact]
    public async Task Version_3_stores_the_working_directory_but_does_not_key_on_it()
    {
        // Arrange
        var cassette = Cassette.Load(Fixture("processkit-v3-portable.json"));
        using var runner = Replayer("processkit-v3-portable.json");
        var head = new Command("git").WithArguments("rev-parse", "HEAD");

        // Act
        var recordedThere = await runner.RunAsync(head.WithWorkingDirectory("/home/alice/repo")).Soon();
        var ciWorkspace = await runner.RunAsync(head.WithWorkingDirectory("/builds/ci/repo")).Soon();
        var noDirectory = await runner.RunAsync(head).Soon();
        var sorted = await runner.OutputStringAsync(new Command("sort").WithStdin("banana\napple\n").WithWorkingDirectory("/tmp")).Soon();
        var otherStdin = await Record.ExceptionAsync(() => runner.OutputStringAsync(new Command("sort").WithStdin("cherry\n")));
        var make = await runner.OutputStringAsync(new Command("make").WithArguments("-j8")).Soon();
        var publish = await Assert.ThrowsAsync<ProcessIOException>(() => runner.RunAsync(new Command("cargo").WithArguments("publish"))).Soon();

        // Assert
        Assert.Equal(3, cassette.Version);
        Assert.All(cassette.Entries, e => Assert.Equal("/home/alice/repo", e.WorkingDirectory));
        Assert.All(cassette.Entries, e => Assert.False(e.MatchesWorkingDirectory));
        Assert.Equal<string>(["MAKEFLAGS"], cassette.Entries[2].EnvironmentNames);
        Assert.Equal((5L, 300L, TimeSpan.FromMilliseconds(950)), (cassette.Entries[2].TotalLines, cassette.Entries[2].TotalBytes, cassette.Entries[2].Duration));
        Assert.Equal(["3f2a9c1e5b7d", "3f2a9c1e5b7d", "3f2a9c1e5b7d"], [recordedThere, ciWorkspace, noDirectory]);
        Assert.Equal("apple\nbanana\n", sorted.Stdout);
        Assert.IsType<CassetteMissException>(otherStdin);
        Assert.Equal(new Outcome.Exited(2), make.Outcome);
        Assert.True(make.Truncated);
        Assert.Contains("registry refused the upload", publish.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_4_keys_on_match_digest_as_processkit_does()
    {
        // Arrange
        var cassette = Cassette.Load(Fixture("processkit-v4-match-policy.json"));
        using var runner = Replayer("processkit-v4-match-policy.json");

        // Act: an entry recorded under match_on_cwd() answers only in its directory (or with none, as recorded);
        // one recorded without a policy answers anywhere; one keyed on environment values never answers here.
        var inRepo = await runner.RunAsync(new Command("ls").WithWorkingDirectory("/srv/repo")).Soon();
        var noDirectory = await runner.RunAsync(new Command("ls")).Soon();
        var elsewhere = await Record.ExceptionAsync(() => runner.RunAsync(new Command("ls").WithWorkingDirectory("/srv/other")));
        var environment = await Record.ExceptionAsync(() => runner.RunAsync(new Command("printenv").WithArguments("LANG").WithEnvironmentVariable("LANG", "C")));
        var portable = await runner.RunAsync(new Command("uname").WithArguments("-s").WithWorkingDirectory("/anywhere")).Soon();
        var sorted = await runner.OutputStringAsync(new Command("sort").WithArguments("-r").WithStdin("a\nb\n")).Soon();
        var timedOut = await runner.OutputStringAsync(new Command("sleep").WithArguments("100").WithTimeout(TimeSpan.FromMinutes(1))).Soon();
        var killed = await runner.OutputStringAsync(new Command("kill-me")).Soon();
        var missing = await Record.ExceptionAsync(() => runner.RunAsync(new Command("missing")));

        // Assert
        Assert.Equal(4, cassette.Version);
        Assert.Equal(CassetteFormatSpecs.CwdPolicyDigest("/srv/repo"), cassette.Entries[0].MatchDigest);
        Assert.Equal(CassetteFormatSpecs.CwdPolicyDigest(null), cassette.Entries[1].MatchDigest);
        Assert.NotNull(cassette.Entries[2].MatchDigest);
        Assert.Null(cassette.Entries[3].MatchDigest);
        Assert.Equal("Cargo.toml\nsrc", inRepo);
        Assert.Equal("bin\netc", noDirectory);
        Assert.IsType<CassetteMissException>(elsewhere);
        Assert.IsType<CassetteMissException>(environment);
        Assert.Equal("Linux", portable);
        Assert.Equal("b\na\n", sorted.Stdout);
        Assert.Equal(new Outcome.TimedOut(TimeoutKind.Overall, TimeSpan.FromMinutes(1)), timedOut.Outcome);
        Assert.Equal(new Outcome.Signalled(Signal.Kill), killed.Outcome);
        Assert.IsType<ProgramNotFoundException>(missing);
    }

    [Fact]
    public async Task A_version_3_cassette_saved_again_becomes_version_4_with_the_same_entries()
    {
        // Arrange: version 4 without a policy keys exactly as version 3 did, so only the number changes.
        var path = Copy("processkit-v3-portable.json");
        var original = await File.ReadAllTextAsync(path);

        // Act
        using (var runner = new RecordReplayRunner(path, CassetteMode.NewEpisodes, inner: new ScriptedRunner()))
        {
            runner.Save();
        }

        // Assert
        var expected = original.Replace("\"version\": 3,", "\"version\": 4,", StringComparison.Ordinal).TrimEnd('\n') + "\n";
        Assert.Equal(expected, await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task Entries_Tether_adds_to_a_version_3_cassette_keep_their_working_directory_key()
    {
        // Arrange
        var path = Copy("processkit-v3-portable.json");
        var inner = new ScriptedRunner().On("pwd", Reply.Ok("/a\n"));

        // Act: record in /a, save (version 4), and replay from elsewhere.
        using (var runner = new RecordReplayRunner(path, CassetteMode.NewEpisodes, inner: inner))
        {
            await runner.RunAsync(new Command("pwd").WithWorkingDirectory("/a")).Soon();
            runner.Save();
        }

        using var replayer = new RecordReplayRunner(path, CassetteMode.Replay);
        var there = await replayer.RunAsync(new Command("pwd").WithWorkingDirectory("/a")).Soon();
        var elsewhere = await Record.ExceptionAsync(() => replayer.RunAsync(new Command("pwd").WithWorkingDirectory("/b")));
        var old = await replayer.RunAsync(new Command("git").WithArguments("rev-parse", "HEAD").WithWorkingDirectory("/b")).Soon();

        // Assert
        Assert.Equal(4, Cassette.Load(path).Version);
        Assert.Equal("/a", there);
        Assert.IsType<CassetteMissException>(elsewhere);
        Assert.Equal("3f2a9c1e5b7d", old);
    }

    [Fact]
    public async Task Tether_keeps_version_1_when_it_adds_to_a_version_1_cassette()
    {
        // Arrange: Tether's own key is version 1's, so the file keeps its version and layout.
        var path = Copy("processkit-exits.json");

        // Act
        using (var runner = new RecordReplayRunner(path, CassetteMode.NewEpisodes, inner: new ScriptedRunner().On("date", Reply.Ok("today\n"))))
        {
            await runner.RunAsync(new Command("date").WithWorkingDirectory("/x")).Soon();
            runner.Save();
        }

        // Assert
        var cassette = Cassette.Load(path);
        Assert.Equal(1, cassette.Version);
        Assert.Equal(4, cassette.Entries.Length);
        Assert.DoesNotContain("match_digest", await File.ReadAllTextAsync(path), StringComparison.Ordinal);
    }

    // ---------------------------------------------------------------- what Tether writes

    [Fact]
    public async Task A_cassette_Tether_writes_passes_a_strict_reader_of_the_version_4_schema()
    {
        // Arrange: every kind of entry Tether can record.
        var path = Path.Combine(_directory, "tether.json");
        var stdinFile = Path.Combine(_directory, "input.txt");
        await File.WriteAllTextAsync(stdinFile, "from a file\n");
        var inner = new ScriptedRunner()
            .On("ok", Reply.Ok("fine\n"))
            .On("fail", Reply.Fail(3, "bad\n"))
            .On("slow", Reply.TimedOut("partial"))
            .On("killed", Reply.Signalled(Signal.Terminate, "term\n"))
            .On("vanished", Reply.Signalled());
        using (var recorder = new RecordReplayRunner(path, CassetteMode.Record, inner: inner))
        {
            await recorder.OutputStringAsync(new Command("ok").WithArguments("a", "grüße").WithWorkingDirectory("/srv").WithEnvironmentVariable("B", "2").WithEnvironmentVariable("A", "1")).Soon();
            await recorder.OutputStringAsync(new Command("ok").WithStdin("text\n")).Soon();
            await recorder.OutputStringAsync(new Command("ok").WithStdin(StandardInput.FromFile(stdinFile))).Soon();
            await recorder.OutputStringAsync(new Command("ok").WithoutEnvironmentVariable("HOME")).Soon();
            await recorder.OutputStringAsync(new Command("fail")).Soon();
            await recorder.OutputStringAsync(new Command("slow").WithTimeout(TimeSpan.FromMinutes(5))).Soon();
            await recorder.OutputStringAsync(new Command("killed")).Soon();
            await recorder.OutputStringAsync(new Command("vanished")).Soon();

            // Act
            recorder.Save();
        }

        // Assert
        var entries = StrictReader.Read(await File.ReadAllBytesAsync(path));
        Assert.Equal(8, entries.Count);
        Assert.Equal(JsonValueKind.Number, entries[0]["code"].ValueKind);
        Assert.Equal(["A", "B"], entries[0]["env_names"].EnumerateArray().Select(n => n.GetString()));
        Assert.Equal(Tagged(1, "text\n"), entries[1]["stdin_digest"].GetUInt64());
        Assert.Equal(Tagged(2, stdinFile), entries[2]["stdin_digest"].GetUInt64());
        Assert.Equal(["HOME"], entries[3]["env_names"].EnumerateArray().Select(n => n.GetString()));
        Assert.Equal(3, entries[4]["code"].GetInt32());
        Assert.True(entries[5]["timed_out"].GetBoolean());
        Assert.Equal(15, entries[6]["signal"].GetInt32());
        Assert.Equal(["args", "code", "match_digest", "program", "stderr", "stdout"], entries[7].Keys.Order(StringComparer.Ordinal));
        Assert.Equal(JsonValueKind.Null, entries[7]["code"].ValueKind);
        Assert.Equal(CassetteFormatSpecs.CwdPolicyDigest("/srv"), entries[0]["match_digest"].GetUInt64());
    }

    // ---------------------------------------------------------------- helpers

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    /// <summary>A private copy, so nothing a spec does can touch the shared fixture.</summary>
    private string Copy(string name)
    {
        var path = Path.Combine(_directory, name);
        File.Copy(Fixture(name), path);
        return path;
    }

    private RecordReplayRunner Replayer(string name) => new(Copy(name), CassetteMode.Replay);

    /// <summary>processkit's digest, computed here from its definition rather than with the library's code.</summary>
    private static ulong Tagged(byte tag, string payload)
    {
        var hash = 0xcbf29ce484222325UL;
        foreach (var b in (byte[])[tag, .. Utf8.GetBytes(payload)])
        {
            hash = unchecked((hash ^ b) * 0x100000001b3UL);
        }

        return hash;
    }

    /// <summary>
    /// A reader of cassette version 4 as strict as the schema allows, written apart from the library: exact member
    /// names, order and types, and the rules a writer must keep (one outcome, <c>code</c> always written, flags only
    /// when true, optional members only when set, the working directory keyed through processkit's match_on_cwd()
    /// digest, and the bytes extension only for output that is not valid UTF-8).
    /// </summary>
    internal static class StrictReader
    {
        private static readonly string[] Order =
            ["program", "args", "stdin_digest", "match_digest", "cwd", "has_stdin", "env_names", "stdout", "stdout_b64", "stderr", "stderr_b64", "code", "timed_out", "signal"];

        public static List<Dictionary<string, JsonElement>> Read(byte[] bytes)
        {
            // Strict UTF-8, one final newline, no carriage returns, no byte order mark.
            _ = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
            Assert.False(bytes.AsSpan().StartsWith("\uFEFF"u8), "A byte order mark was written.");
            Assert.Equal((byte)'\n', bytes[^1]);
            Assert.DoesNotContain((byte)'\r', bytes);

            using var document = JsonDocument.Parse(bytes, new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
            var root = document.RootElement;
            Assert.Equal(JsonValueKind.Object, root.ValueKind);
            Assert.Equal(["version", "entries"], root.EnumerateObject().Select(p => p.Name));
            Assert.Equal(JsonValueKind.Number, root.GetProperty("version").ValueKind);
            Assert.Equal("4", root.GetProperty("version").GetRawText());
            var entries = root.GetProperty("entries");
            Assert.Equal(JsonValueKind.Array, entries.ValueKind);

            var result = new List<Dictionary<string, JsonElement>>();
            foreach (var entry in entries.EnumerateArray())
            {
                result.Add(ReadEntry(entry));
            }

            return result;
        }

        private static Dictionary<string, JsonElement> ReadEntry(JsonElement entry)
        {
            Assert.Equal(JsonValueKind.Object, entry.ValueKind);
            var members = entry.EnumerateObject().ToList();
            var names = members.Select(m => m.Name).ToList();
            Assert.Equal(names.Distinct().Count(), names.Count);
            Assert.All(names, n => Assert.Contains(n, Order));
            Assert.Equal(names.OrderBy(n => Array.IndexOf(Order, n)), names);
            foreach (var required in (string[])["program", "args", "stdout", "stderr", "code"])
            {
                Assert.Contains(required, names);
            }

            // Cloned so the values outlive the document.
            var fields = members.ToDictionary(m => m.Name, m => m.Value.Clone());
            Assert.Equal(JsonValueKind.String, fields["program"].ValueKind);
            Assert.NotEqual("", fields["program"].GetString());
            AssertStrings(fields["args"], allowEmpty: true);
            Assert.Equal(JsonValueKind.String, fields["stdout"].ValueKind);
            Assert.Equal(JsonValueKind.String, fields["stderr"].ValueKind);

            string? directory = null;
            if (fields.TryGetValue("cwd", out var cwd))
            {
                Assert.Equal(JsonValueKind.String, cwd.ValueKind);
                directory = cwd.GetString();
            }

            // Tether keys on the working directory; version 4 says so with processkit's match_on_cwd() digest.
            Assert.True(fields.ContainsKey("match_digest"), "match_digest was not written.");
            Assert.Equal(JsonValueKind.Number, fields["match_digest"].ValueKind);
            Assert.Equal(CassetteFormatSpecs.CwdPolicyDigest(directory), fields["match_digest"].GetUInt64());

            foreach (var extension in (string[])["stdout_b64", "stderr_b64"])
            {
                if (fields.TryGetValue(extension, out var encoded))
                {
                    Assert.Equal(JsonValueKind.String, encoded.ValueKind);
                    var bytes = Convert.FromBase64String(encoded.GetString()!);
                    Assert.ThrowsAny<DecoderFallbackException>(() => new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes));
                }
            }

            var hasStdin = fields.TryGetValue("has_stdin", out var flag);
            if (hasStdin)
            {
                Assert.Equal(JsonValueKind.True, flag.ValueKind); // written only when true
            }

            if (fields.TryGetValue("stdin_digest", out var digest))
            {
                Assert.True(hasStdin, "A stdin digest was written without has_stdin.");
                Assert.Equal(JsonValueKind.Number, digest.ValueKind);
                Assert.True(ulong.TryParse(digest.GetRawText(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _), "The digest is not a plain u64.");
            }

            if (fields.TryGetValue("env_names", out var environment))
            {
                AssertStrings(environment, allowEmpty: false); // written only when there are any
                var list = environment.EnumerateArray().Select(n => n.GetString()!).ToList();
                Assert.Equal(list.Distinct().Order(StringComparer.Ordinal), list);
            }

            var code = fields["code"];
            Assert.True(code.ValueKind is JsonValueKind.Number or JsonValueKind.Null);
            if (code.ValueKind == JsonValueKind.Number)
            {
                Assert.True(code.TryGetInt32(out _));
            }

            var timedOut = fields.TryGetValue("timed_out", out var timedOutValue);
            if (timedOut)
            {
                Assert.Equal(JsonValueKind.True, timedOutValue.ValueKind); // written only when true
            }

            if (fields.TryGetValue("signal", out var signal))
            {
                Assert.Equal(JsonValueKind.Number, signal.ValueKind);
                Assert.InRange(signal.GetInt32(), 1, 64);
            }

            var ways = (code.ValueKind == JsonValueKind.Number ? 1 : 0) + (timedOut ? 1 : 0) + (fields.ContainsKey("signal") ? 1 : 0);
            Assert.True(ways <= 1, "An entry ends more than one way.");
            return fields;
        }

        private static void AssertStrings(JsonElement array, bool allowEmpty)
        {
            Assert.Equal(JsonValueKind.Array, array.ValueKind);
            Assert.True(allowEmpty || array.GetArrayLength() > 0);
            Assert.All(array.EnumerateArray(), item => Assert.Equal(JsonValueKind.String, item.ValueKind));
        }
    }
}
