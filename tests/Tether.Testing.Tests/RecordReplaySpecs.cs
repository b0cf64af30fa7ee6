using System.Text;

namespace Tether.Testing.Tests;

/// <summary>Recording real and scripted runs to a cassette and replaying them: every verb and outcome, the key, the modes.</summary>
public sealed class RecordReplaySpecs
{
    /// <summary>A runner that fails the spec if anything reaches it: proof that a replay spawned nothing.</summary>
    private static readonly IProcessRunner NothingRuns = new ScriptedRunner();

    [Fact]
    public async Task A_real_run_is_recorded_once_and_replayed_without_spawning_anything()
    {
        using var scratch = new ScratchDirectory();
        var cassette = scratch.File("git.json");
        var marker = scratch.File("ran");
        var command = Shell.Command($"echo out; echo err >&2; touch '{marker}'; exit 3");

        await using (var recorder = new RecordReplayRunner(cassette, CassetteMode.Record))
        {
            var recorded = await recorder.OutputStringAsync(command).Soon();
            Assert.Equal(new Outcome.Exited(3), recorded.Outcome);
        }

        File.Delete(marker);
        await using var player = new RecordReplayRunner(cassette, CassetteMode.Replay, NothingRuns);
        var replayed = await player.OutputStringAsync(command).Soon();

        Assert.False(File.Exists(marker));
        Assert.Equal("out\n", replayed.Stdout);
        Assert.Equal("err\n", replayed.Stderr);
        Assert.Equal(new Outcome.Exited(3), replayed.Outcome);
        Assert.Equal(ContainmentMechanism.None, replayed.Mechanism);
    }

    [Fact]
    public async Task Every_verb_replays_what_it_recorded()
    {
        using var scratch = new ScratchDirectory();
        var cassette = scratch.File("verbs.json");
        var ok = Dummy.Command("echo-args", "hello", "world");
        var fail = Shell.Command("echo nope >&2; exit 1");
        var lines = Dummy.Command("lines", "3");

        var live = await RunAllVerbsAsync(new RecordReplayRunner(cassette, CassetteMode.Record), ok, fail, lines);
        var replayed = await RunAllVerbsAsync(new RecordReplayRunner(cassette, CassetteMode.Replay, NothingRuns), ok, fail, lines);

        Assert.Equal(live, replayed);
    }

    [Theory]
    [InlineData("ok")]
    [InlineData("fail")]
    [InlineData("timeout")]
    [InlineData("signal")]
    [InlineData("unknown-signal")]
    public async Task Every_outcome_round_trips_through_the_cassette(string kind)
    {
        using var scratch = new ScratchDirectory();
        var cassette = scratch.File("outcomes.json");
        var reply = kind switch
        {
            "ok" => Reply.Ok("fine\n"),
            "fail" => Reply.Fail(4, "bad\n"),
            "timeout" => Reply.TimedOut("partial\n"),
            "signal" => Reply.Signalled(new Signal(6), "abort\n"),
            _ => Reply.Signalled(null),
        };
        var command = new Command("tool").WithTimeout(TimeSpan.FromSeconds(20));

        var recorded = await RecordAsync(cassette, new ScriptedRunner().On("tool", reply), r => r.OutputStringAsync(command));
        await using var player = new RecordReplayRunner(cassette, CassetteMode.Replay, NothingRuns);
        var replayed = await player.OutputStringAsync(command).Soon();

        Assert.Equal(recorded.Outcome, replayed.Outcome);
        Assert.Equal(recorded.Stdout, replayed.Stdout);
        Assert.Equal(recorded.Stderr, replayed.Stderr);
    }

    [Fact]
    public async Task A_recorded_timeout_replays_with_the_replaying_commands_deadline()
    {
        using var scratch = new ScratchDirectory();
        var cassette = scratch.File("timeout.json");
        await RecordAsync(cassette, ProcessRunner.Default, r => r.OutputStringAsync(Dummy.Command("sleep", "30000").WithTimeout(TimeSpan.FromMilliseconds(300))));

        await using var player = new RecordReplayRunner(cassette, CassetteMode.Replay, NothingRuns);
        var error = await Assert.ThrowsAsync<TimedOutException>(
            () => player.RunAsync(Dummy.Command("sleep", "30000").WithTimeout(TimeSpan.FromSeconds(7))).Soon());

        Assert.Equal(new Outcome.TimedOut(TimeoutKind.Overall, TimeSpan.FromSeconds(7)), error.Result.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(7), error.Result.Timeout);
    }

    [Fact]
    public async Task A_key_recorded_several_times_replays_in_capture_order_then_repeats_the_last()
    {
        using var scratch = new ScratchDirectory();
        var cassette = scratch.File("poll.json");
        var poll = new Command("status");
        var inner = new ScriptedRunner().OnSequence(["status"], Reply.Ok("starting"), Reply.Ok("warming"), Reply.Ok("ready"));
        await RecordAsync(cassette, inner, async r =>
        {
            for (var i = 0; i < 3; i++)
            {
                await r.RunAsync(poll);
            }

            return 0;
        });

        await using var player = new RecordReplayRunner(cassette, CassetteMode.Replay, NothingRuns);
        var answers = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            answers.Add(await player.RunAsync(poll).Soon());
        }

        Assert.Equal(["starting", "warming", "ready", "ready", "ready"], answers);
    }

    [Fact]
    public async Task Stdin_is_part_of_the_key()
    {
        using var scratch = new ScratchDirectory();
        var cassette = scratch.File("stdin.json");
        await RecordAsync(cassette, ProcessRunner.Default, async r =>
        {
            await r.RunAsync(new Command("/bin/cat").WithStdin("apple"));
            await r.RunAsync(new Command("/bin/cat").WithStdin(StandardInput.FromBytes("pear"u8.ToArray())));
            await r.RunAsync(new Command("/bin/cat"));
            return 0;
        });

        await using var player = new RecordReplayRunner(cassette, CassetteMode.Replay, NothingRuns);

        Assert.Equal("apple", await player.RunAsync(new Command("/bin/cat").WithStdin("apple")).Soon());
        Assert.Equal("pear", await player.RunAsync(new Command("/bin/cat").WithStdin("pear")).Soon());
        Assert.Equal("", await player.RunAsync(new Command("/bin/cat")).Soon());
        await Assert.ThrowsAsync<CassetteMissException>(() => player.RunAsync(new Command("/bin/cat").WithStdin("plum")));
    }

    [Fact]
    public async Task The_working_directory_is_part_of_the_key()
    {
        using var scratch = new ScratchDirectory();
        var cassette = scratch.File("cwd.json");
        await RecordAsync(cassette, ProcessRunner.Default, async r =>
        {
            await r.RunAsync(new Command("/bin/pwd").WithWorkingDirectory("/"));
            await r.RunAsync(new Command("/bin/pwd").WithWorkingDirectory("/tmp"));
            return 0;
        });

        await using var player = new RecordReplayRunner(cassette, CassetteMode.Replay, NothingRuns);

        Assert.Equal("/tmp", await player.RunAsync(new Command("/bin/pwd").WithWorkingDirectory("/tmp")).Soon());
        Assert.Equal("/", await player.RunAsync(new Command("/bin/pwd").WithWorkingDirectory("/")).Soon());
        await Assert.ThrowsAsync<CassetteMissException>(() => player.RunAsync(new Command("/bin/pwd")));
    }

    [Fact]
    public async Task The_environment_is_not_part_of_the_key_and_its_values_never_reach_the_file()
    {
        using var scratch = new ScratchDirectory();
        var cassette = scratch.File("env.json");
        var inner = new ScriptedRunner().On("api", Reply.Ok("200"));
        await RecordAsync(cassette, inner, r => r.RunAsync(new Command("api").WithEnvironmentVariable("API_TOKEN", "s3cr3t-value").WithEnvironmentVariable("REGION", "eu")));

        await using var player = new RecordReplayRunner(cassette, CassetteMode.Replay, NothingRuns);
        var answer = await player.RunAsync(new Command("api").WithEnvironmentVariable("API_TOKEN", "another")).Soon();

        var text = await File.ReadAllTextAsync(cassette);
        Assert.Equal("200", answer);
        Assert.DoesNotContain("s3cr3t-value", text, StringComparison.Ordinal);
        Assert.Equal(["API_TOKEN", "REGION"], player.Entries[0].EnvironmentNames.ToArray());
    }

    [Fact]
    public async Task A_miss_is_its_own_error_naming_the_program_and_never_spawns()
    {
        using var scratch = new ScratchDirectory();
        var cassette = scratch.File("one.json");
        await RecordAsync(cassette, new ScriptedRunner().Fallback(Reply.Ok()), r => r.RunAsync(new Command("known")));
        var marker = scratch.File("spawned");

        await using var player = new RecordReplayRunner(cassette, CassetteMode.Replay);
        var error = await Assert.ThrowsAsync<CassetteMissException>(() => player.RunAsync(Shell.Command($"touch '{marker}'")));
        var missingProgram = await Assert.ThrowsAsync<CassetteMissException>(() => player.RunAsync(new Command("no-such-program-anywhere")));

        Assert.Equal("/bin/sh", error.Program);
        Assert.Contains(cassette, error.Message, StringComparison.Ordinal);
        Assert.IsNotAssignableFrom<TetherException>(error);
        Assert.Equal("no-such-program-anywhere", missingProgram.Program);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public void Replaying_a_cassette_that_does_not_exist_says_so()
    {
        using var scratch = new ScratchDirectory();

        var error = Assert.Throws<CassetteException>(() => new RecordReplayRunner(scratch.File("absent.json"), CassetteMode.Replay));

        Assert.Equal(CassetteProblem.NotFound, error.Problem);
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Once_records_when_the_cassette_is_missing_and_replays_when_it_exists()
    {
        using var scratch = new ScratchDirectory();
        var cassette = scratch.File("once.json");

        await using (var first = new RecordReplayRunner(cassette, CassetteMode.Once, new ScriptedRunner().On("date", Reply.Ok("monday"))))
        {
            Assert.True(first.Records);
            Assert.Equal("monday", await first.RunAsync(new Command("date")).Soon());
        }

        await using var second = new RecordReplayRunner(cassette, CassetteMode.Once, NothingRuns);
        Assert.False(second.Records);
        Assert.Equal("monday", await second.RunAsync(new Command("date")).Soon());
        await Assert.ThrowsAsync<CassetteMissException>(() => second.RunAsync(new Command("time")));
    }

    [Fact]
    public async Task Record_replaces_an_existing_cassette()
    {
        using var scratch = new ScratchDirectory();
        var cassette = scratch.File("record.json");
        await RecordAsync(cassette, new ScriptedRunner().Fallback(Reply.Ok("old")), r => r.RunAsync(new Command("v")));

        await RecordAsync(cassette, new ScriptedRunner().Fallback(Reply.Ok("new")), r => r.RunAsync(new Command("v")));

        var entry = Assert.Single(Cassette.Load(cassette).Entries);
        Assert.Equal("new", entry.Stdout);
    }

    [Fact]
    public async Task New_episodes_replays_known_invocations_and_adds_new_ones_after_them()
    {
        using var scratch = new ScratchDirectory();
        var cassette = scratch.File("episodes.json");
        await RecordAsync(cassette, new ScriptedRunner().Fallback(Reply.Ok("recorded-a")), r => r.RunAsync(new Command("a")));
        var inner = new RecordingRunner(new ScriptedRunner().Fallback(Reply.Ok("live")));

        await using (var runner = new RecordReplayRunner(cassette, CassetteMode.NewEpisodes, inner))
        {
            Assert.Equal("recorded-a", await runner.RunAsync(new Command("a")).Soon());
            Assert.Equal("live", await runner.RunAsync(new Command("b")).Soon());
        }

        Assert.Equal(["b"], inner.Invocations.Select(i => i.Program));
        Assert.Equal(["a", "b"], Cassette.Load(cassette).Entries.Select(e => e.Program));
    }

    [Fact]
    public async Task A_replayed_start_streams_the_recorded_lines_through_the_real_pumps()
    {
        using var scratch = new ScratchDirectory();
        var cassette = scratch.File("stream.json");
        var server = Dummy.Command("lines", "3");
        await RecordAsync(cassette, ProcessRunner.Default, async r =>
        {
            await using var process = await r.StartAsync(server);
            return await process.WaitAsync();
        });

        var seen = new List<string>();
        await using var player = new RecordReplayRunner(cassette, CassetteMode.Replay, NothingRuns);
        await using var replay = await player.StartAsync(server.WithStdoutLineHandler(seen.Add)).Soon();
        var ready = await replay.WaitForLineAsync(l => l.EndsWith('3'), Bounds.Eventually).Soon();
        var lines = new List<string>();
        await foreach (var line in replay.StdoutLines())
        {
            lines.Add(line);
        }

        Assert.Equal(3, lines.Count);
        Assert.Equal(lines, seen);
        Assert.Equal(lines[^1], ready);
    }

    [Fact]
    public async Task The_replaying_commands_ok_codes_and_line_handlers_apply()
    {
        using var scratch = new ScratchDirectory();
        var cassette = scratch.File("codes.json");
        await RecordAsync(cassette, new ScriptedRunner().Fallback(Reply.Fail(1).WithStdout("no match\n")), r => r.OutputStringAsync(new Command("grep")));

        var handled = new List<string>();
        await using var player = new RecordReplayRunner(cassette, CassetteMode.Replay, NothingRuns);
        var result = await player.OutputStringAsync(new Command("grep").WithOkExitCodes(0, 1).WithStdoutLineHandler(handled.Add)).Soon();

        Assert.True(result.IsSuccess);
        Assert.Equal(["no match"], handled);
        Assert.False(await player.ProbeAsync(new Command("grep")).Soon());
    }

    [Fact]
    public async Task One_shot_and_interactive_stdin_are_refused_in_both_modes_without_reading_the_source()
    {
        using var scratch = new ScratchDirectory();
        await using var recorder = new RecordReplayRunner(scratch.File("r.json"), CassetteMode.Record, NothingRuns);
        await RecordAsync(scratch.File("p.json"), new ScriptedRunner().Fallback(Reply.Ok()), r => r.RunAsync(new Command("x")));
        await using var player = new RecordReplayRunner(scratch.File("p.json"), CassetteMode.Replay, NothingRuns);
        var source = new MemoryStream([1, 2, 3]);

        foreach (var runner in new IProcessRunner[] { recorder, player })
        {
            await Assert.ThrowsAsync<NotSupportedException>(() => runner.RunAsync(new Command("x").WithStdin(StandardInput.FromStream(source))));
            await Assert.ThrowsAsync<NotSupportedException>(() => runner.RunAsync(new Command("x").WithStdin(StandardInput.FromLines(AsyncLines()))));
            await Assert.ThrowsAsync<NotSupportedException>(() => runner.StartAsync(new Command("x").WithStdin(StandardInput.Interactive)));
        }

        Assert.Equal(0, source.Position);

        static async IAsyncEnumerable<string> AsyncLines()
        {
            await Task.Yield();
            yield return "line";
        }
    }

    [Fact]
    public async Task A_pipeline_is_refused_with_the_reason()
    {
        using var scratch = new ScratchDirectory();
        await using var recorder = new RecordReplayRunner(scratch.File("r.json"), CassetteMode.Record, NothingRuns);

        var error = await Assert.ThrowsAsync<NotSupportedException>(() => recorder.OutputStringAsync(new Command("a") | new Command("b")));

        Assert.Contains("single commands", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_spawn_failure_records_nothing()
    {
        using var scratch = new ScratchDirectory();
        var cassette = scratch.File("spawn.json");

        await using (var recorder = new RecordReplayRunner(cassette, CassetteMode.Record))
        {
            await Assert.ThrowsAsync<ProgramNotFoundException>(() => recorder.RunAsync(new Command("no-such-program-anywhere")));
            await recorder.RunAsync(Shell.Command("true")).Soon();
        }

        Assert.Equal(["/bin/sh"], Cassette.Load(cassette).Entries.Select(e => e.Program));
    }

    [Fact]
    public async Task Non_utf8_arguments_are_stored_lossily_and_still_match()
    {
        using var scratch = new ScratchDirectory();
        var cassette = scratch.File("lossy.json");
        var odd = new Command("echo").WithArguments("bad\uD800surrogate");
        await RecordAsync(cassette, new ScriptedRunner().Fallback(Reply.Ok("ok")), r => r.RunAsync(odd));

        await using var player = new RecordReplayRunner(cassette, CassetteMode.Replay, NothingRuns);

        Assert.Equal("ok", await player.RunAsync(odd).Soon());
        Assert.Equal("bad\uFFFDsurrogate", player.Entries[0].Arguments[0]);
    }

    [Fact]
    public async Task Concurrent_calls_record_and_replay_correctly_in_call_order()
    {
        using var scratch = new ScratchDirectory();
        var cassette = scratch.File("concurrent.json");
        var inner = new ScriptedRunner().When(_ => true, i => Reply.Ok($"answer {i.Arguments[0]}"));
        var commands = Enumerable.Range(0, 48).Select(i => new Command("calc").WithArguments(i.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToArray();

        await using (var recorder = new RecordReplayRunner(cassette, CassetteMode.Record, inner))
        {
            await Task.WhenAll(commands.Select(c => recorder.RunAsync(c))).Soon();
        }

        await using var player = new RecordReplayRunner(cassette, CassetteMode.Replay, NothingRuns);
        var answers = await Task.WhenAll(commands.Select(c => player.RunAsync(c))).Soon();

        Assert.Equal(commands.Select(c => $"answer {c.Arguments[0]}"), answers);
        Assert.Equal(48, player.Entries.Length);
    }

    [Fact]
    public async Task The_same_run_recorded_twice_gives_byte_identical_files()
    {
        using var scratch = new ScratchDirectory();
        var inner = new ScriptedRunner().Fallback(Reply.Ok("same\n").WithStderr("note\n"));
        async Task<int> Run(RecordReplayRunner r)
        {
            await r.OutputStringAsync(new Command("a").WithArguments("1").WithWorkingDirectory("/w"));
            await r.OutputStringAsync(new Command("b").WithStdin("in").WithEnvironmentVariable("Z", "1").WithEnvironmentVariable("A", "2"));
            return 0;
        }

        await RecordAsync(scratch.File("1.json"), inner, Run);
        await RecordAsync(scratch.File("2.json"), inner, Run);

        Assert.Equal(await File.ReadAllBytesAsync(scratch.File("1.json")), await File.ReadAllBytesAsync(scratch.File("2.json")));
    }

    private static async Task<T> RecordAsync<T>(string cassette, IProcessRunner inner, Func<RecordReplayRunner, Task<T>> calls)
    {
        await using var recorder = new RecordReplayRunner(cassette, CassetteMode.Record, inner);
        var result = await calls(recorder).Soon();
        await recorder.SaveAsync().Soon();
        return result;
    }

    private static async Task<string> RunAllVerbsAsync(RecordReplayRunner runner, Command ok, Command fail, Command lines)
    {
        await using (runner)
        {
            var text = new StringBuilder();
            text.AppendLine(await runner.RunAsync(ok));
            var failed = await runner.OutputStringAsync(fail);
            text.AppendLine($"{failed.Outcome}|{failed.Stdout}|{failed.Stderr}");
            text.AppendLine((await runner.ExitCodeAsync(fail)).ToString(System.Globalization.CultureInfo.InvariantCulture));
            text.AppendLine((await runner.ProbeAsync(fail)).ToString());
            var error = await Assert.ThrowsAsync<NonZeroExitException>(() => runner.RunAsync(fail));
            text.AppendLine(error.Message);
            await using (var process = await runner.StartAsync(lines))
            {
                await foreach (var line in process.StdoutLines())
                {
                    text.AppendLine(line);
                }

                text.AppendLine((await process.WaitAsync()).Outcome.ToString());
            }

            return text.ToString();
        }
    }
}
