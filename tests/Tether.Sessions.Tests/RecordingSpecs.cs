using System.Globalization;
using System.Text;
using System.Text.Json;
using Tether.ProcFs;

namespace Tether.Sessions.Tests;

/// <summary>
/// Starting, stopping and recovering recordings (<see cref="Recorder"/>): one recording per shell, the lock kept by
/// the shell's pid, shells side by side, stale recovery, and the spool the hooks write. Specs whose shell must live or
/// die use a real bash; the others let this test process stand in for the shell and write its spool themselves.
/// </summary>
public sealed class RecordingSpecs
{
    private static int Me => Environment.ProcessId;

    private static string MyKey => ShellProcess.TryFind(Me)!.Value.Key;

    [Fact]
    public void Stop_saves_the_commands_of_the_spool_with_a_completed_footer()
    {
        using var sandbox = new RecordingSandbox();
        var clock = VirtualClock.Create();
        var recorder = sandbox.Recorder(clock);
        var started = recorder.Start(Me, "deploy", "bash");
        WriteSpool(sandbox, MyKey,
            "B\t1769862000.125\t/srv\tmake build\n" +
            "E\t1769862002.625\t0\n" +
            "B\t1769862003,5\t/srv\tmake deploy\n" + // bash prints $EPOCHREALTIME with the locale's separator
            "E\t1769862004\t2\n");
        clock.Advance(TimeSpan.FromMinutes(1));

        var saved = recorder.Stop(Me);

        var load = sandbox.Store.Load("deploy");
        var session = load.Session;
        Assert.Equal(started.Id, session.Id);
        Assert.Equal(("deploy", "bash", false), (session.Header.Name, session.Header.Shell, session.Header.Recovered));
        Assert.Equal(clock.GetUtcNow() - TimeSpan.FromMinutes(1), session.Header.Started);
        Assert.Equal(["make build", "make deploy"], session.Commands.Select(c => c.Command));
        Assert.Equal([0, 1], session.Commands.Select(c => c.Index));
        Assert.Equal([0, 2], session.Commands.Select(c => c.ExitCode));
        Assert.Equal([TimeSpan.FromSeconds(2.5), TimeSpan.FromSeconds(0.5)], session.Commands.Select(c => c.Duration));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1769862000125), session.Commands[0].Started);
        Assert.Equal(new SessionFooter { Ended = clock.GetUtcNow(), CommandCount = 2, Status = SessionStatus.Completed }, session.Footer);
        Assert.Equal(("deploy", 2, SessionStatus.Completed, false, load.Path), (saved.Name, saved.CommandCount, saved.Status, saved.Recovered, saved.Path));
        Assert.Empty(sandbox.StateFiles());
        Assert.Null(recorder.Status(Me));
    }

    [Fact]
    public void Start_without_a_name_names_the_session_by_the_local_time_and_never_twice_the_same()
    {
        using var sandbox = new RecordingSandbox();
        var clock = VirtualClock.Create(); // 2030-01-01 00:00:00, in a UTC local zone
        var recorder = sandbox.Recorder(clock);
        sandbox.Store.Create(new SessionHeader { Id = Guid.NewGuid().ToString("D"), Name = "session-2030-01-01-000000", Started = clock.GetUtcNow() }).Dispose();

        var recording = recorder.Start(Me, null, "zsh");

        Assert.Equal("session-2030-01-01-000000-2", recording.Name);
        Assert.Equal(("zsh", Me, 0), (recording.Shell, recording.ShellPid, recording.CommandCount));
    }

    [Fact]
    public void Status_tells_the_recording_of_a_shell_and_its_commands_so_far()
    {
        using var sandbox = new RecordingSandbox();
        var recorder = sandbox.Recorder();
        Assert.Null(recorder.Status(Me));
        var started = recorder.Start(Me, "status", "fish");
        WriteSpool(sandbox, MyKey, "B\t1769862000\t/\tsleep 100\n");

        var status = recorder.Status(Me);

        Assert.Equal(started with { CommandCount = 1 }, status);
    }

    [Fact]
    public void A_second_start_in_a_recording_shell_fails_with_a_clear_error_and_leaves_the_recording_alone()
    {
        using var sandbox = new RecordingSandbox();
        var recorder = sandbox.Recorder();
        var first = recorder.Start(Me, "first", "bash");

        var error = Assert.Throws<AlreadyRecordingException>(() => recorder.Start(Me, "second", "bash"));

        Assert.Equal("this shell is already recording 'first'; stop it first (tether rec stop)", error.Message);
        Assert.Equal(first, recorder.Status(Me));
    }

    [Fact]
    public void Stop_in_a_shell_that_does_not_record_fails_with_a_clear_error()
    {
        using var sandbox = new RecordingSandbox();
        var recorder = sandbox.Recorder();

        var error = Assert.Throws<NotRecordingException>(() => recorder.Stop(Me));

        Assert.Equal("this shell is not recording; start a recording with tether rec start", error.Message);
    }

    [Fact]
    public async Task Start_refuses_a_name_the_store_or_another_recording_shell_has()
    {
        using var sandbox = new RecordingSandbox();
        var recorder = sandbox.Recorder();
        sandbox.Store.Create(new SessionHeader { Id = Guid.NewGuid().ToString("D"), Name = "taken", Started = DateTimeOffset.UnixEpoch }).Dispose();
        await using var other = await ProcessRunner.Default.StartAsync(new Command("sleep").WithArguments("600")); // a second "shell"
        recorder.Start(other.Pid, "busy", "bash");

        Assert.Throws<SessionExistsException>(() => recorder.Start(Me, "taken", "bash"));
        var busy = Assert.Throws<RecordingNameTakenException>(() => recorder.Start(Me, "busy", "bash"));
        Assert.Equal(other.Pid, busy.OtherShellPid);
        Assert.Throws<SessionNameException>(() => recorder.Start(Me, "bad/name", "bash"));
        Assert.Throws<ArgumentException>(() => recorder.Start(Me, null, "tcsh"));
        Assert.Null(recorder.Status(Me));
    }

    [ShellFact(ShellKind.Bash)]
    public async Task The_lock_holds_the_shell_pid_so_the_recording_stays_live_after_the_starting_process_is_gone()
    {
        using var sandbox = new RecordingSandbox();
        await using var shell = await InteractiveShell.StartAsync(ShellKind.Bash, sandbox);
        // The shell's own child plays `tether rec start`: it starts the recording and exits at once.
        var starter = sandbox.Recorder();
        starter.Start(shell.Pid, "alive", "bash");
        await shell.RunAsync("sh -c 'exit 0'");

        var later = sandbox.Recorder();
        var stale = later.RecoverStale();

        Assert.Empty(stale);
        Assert.Equal("alive", later.Status(shell.Pid)?.Name);
        using var lockFile = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(sandbox.StateDirectory, shell.Key + ".active")));
        Assert.Equal(shell.Pid, lockFile.RootElement.GetProperty("shellPid").GetInt32());
        Assert.Equal(shell.Key, $"{shell.Pid}-{lockFile.RootElement.GetProperty("shellStartTime").GetInt64()}");
    }

    [ShellFact(ShellKind.Bash)]
    public async Task Two_shells_record_different_sessions_at_the_same_time_without_interfering()
    {
        using var sandbox = new RecordingSandbox();
        var recorder = sandbox.Recorder();
        await using var left = await InteractiveShell.StartAsync(ShellKind.Bash, sandbox);
        await using var right = await InteractiveShell.StartAsync(ShellKind.Bash, sandbox);
        recorder.Start(left.Pid, "left", "bash");
        recorder.Start(right.Pid, "right", "bash");

        async Task Drive(InteractiveShell shell, string side)
        {
            for (var i = 0; i < 20; i++)
            {
                await shell.RunAsync($"echo {side}-{i}; (exit {i})");
            }
        }

        await Task.WhenAll(Drive(left, "left"), Drive(right, "right"));
        var leftSaved = recorder.Stop(left.Pid);
        var rightSaved = recorder.Stop(right.Pid);

        foreach (var (side, saved) in new[] { ("left", leftSaved), ("right", rightSaved) })
        {
            var session = sandbox.Store.Load(side).Session;
            Assert.Equal(Enumerable.Range(0, 20).Select(i => $"echo {side}-{i}; (exit {i})"), session.Commands.Select(c => c.Command));
            Assert.Equal(Enumerable.Range(0, 20).Select(i => (int?)i), session.Commands.Select(c => c.ExitCode));
            Assert.Equal(20, saved.CommandCount);
        }

        Assert.NotEqual(leftSaved.Id, rightSaved.Id);
    }

    [ShellFact(ShellKind.Bash)]
    public async Task A_killed_shell_is_recovered_under_its_name_marked_recovered_with_its_commands_and_an_interrupted_footer()
    {
        using var sandbox = new RecordingSandbox();
        var clock = VirtualClock.Create();
        var recorder = sandbox.Recorder(clock);
        await using var shell = await InteractiveShell.StartAsync(ShellKind.Bash, sandbox);
        var started = recorder.Start(shell.Pid, "doomed", "bash");
        await shell.RunAsync("echo one");
        await shell.RunAsync("false");

        await shell.KillAsync();
        var stale = recorder.RecoverStale();

        var outcome = Assert.Single(stale);
        Assert.Equal((shell.Pid, "doomed", StaleOutcome.Saved), (outcome.ShellPid, outcome.Name, outcome.Outcome));
        Assert.Equal("doomed", outcome.Saved?.Name);
        var session = sandbox.Store.Load("doomed").Session;
        Assert.Equal(started.Id, session.Id);
        Assert.True(session.Header.Recovered);
        Assert.Equal(["echo one", "false"], session.Commands.Select(c => c.Command));
        Assert.Equal([0, 1], session.Commands.Select(c => c.ExitCode));
        Assert.Equal(SessionStatus.Interrupted, session.Footer?.Status);
        Assert.Equal(session.Commands[^1].Ended, session.Footer?.Ended);
        Assert.Empty(sandbox.StateFiles());
        Assert.Empty(recorder.RecoverStale());
    }

    [ShellFact(ShellKind.Bash)]
    public async Task A_shell_killed_while_a_command_runs_is_recovered_with_that_command_unfinished()
    {
        using var sandbox = new RecordingSandbox();
        var recorder = sandbox.Recorder();
        await using var shell = await InteractiveShell.StartAsync(ShellKind.Bash, sandbox);
        recorder.Start(shell.Pid, "midway", "bash");
        await shell.RunAsync("echo one");
        await shell.SendAsync("sleep 600\n");
        var spool = Path.Combine(sandbox.StateDirectory, shell.Key + ".spool");
        Assert.True(await Bounds.EventuallyAsync(() => File.ReadAllText(spool).Contains("sleep 600", StringComparison.Ordinal)));

        await shell.KillAsync();
        var outcome = Assert.Single(recorder.RecoverStale());

        var session = sandbox.Store.Load(outcome.Saved!.Name).Session;
        Assert.Equal(["echo one", "sleep 600"], session.Commands.Select(c => c.Command));
        var running = session.Commands[1];
        Assert.Equal((null, null, null), (running.Ended, running.ExitCode, running.Duration));
        Assert.Equal(session.Commands[1].Started, session.Footer?.Ended);
    }

    [ShellFact(ShellKind.Bash)]
    public async Task A_dead_recording_without_commands_is_discarded()
    {
        using var sandbox = new RecordingSandbox();
        var recorder = sandbox.Recorder();
        await using var shell = await InteractiveShell.StartAsync(ShellKind.Bash, sandbox);
        recorder.Start(shell.Pid, "empty", "bash");

        await shell.KillAsync();
        var outcome = Assert.Single(recorder.RecoverStale());

        Assert.Equal((StaleOutcome.Discarded, "empty", null), (outcome.Outcome, outcome.Name, outcome.Saved));
        Assert.Empty(sandbox.Store.List());
        Assert.Empty(sandbox.StateFiles());
    }

    [Fact]
    public void Recovery_touches_only_dead_recordings_and_nothing_else_in_the_directory()
    {
        using var sandbox = new RecordingSandbox();
        var recorder = sandbox.Recorder();
        recorder.Start(Me, "live", "bash");
        WriteSpool(sandbox, MyKey, "B\t1769862000\t/\techo live\nE\t1769862001\t0\n");
        // Not ours to judge: a spool without a recording, a file with a name that is no shell, notes.
        File.WriteAllText(Path.Combine(sandbox.StateDirectory, "4242-1.spool"), "B\t1769862000\t/\techo orphan\n");
        File.WriteAllText(Path.Combine(sandbox.StateDirectory, "not-a-shell.active"), "{}");
        File.WriteAllText(Path.Combine(sandbox.StateDirectory, "notes.txt"), "mine");
        var before = sandbox.StateFiles();

        var stale = recorder.RecoverStale();

        Assert.Empty(stale);
        Assert.Equal(before, sandbox.StateFiles());
        Assert.Equal(1, recorder.Status(Me)?.CommandCount);
    }

    [Fact]
    public void A_recycled_pid_is_not_taken_for_the_shell_that_had_it()
    {
        using var sandbox = new RecordingSandbox();
        var recorder = sandbox.Recorder();
        // A recording left by an earlier process that had this very pid: same pid, another start time.
        var me = ShellProcess.TryFind(Me)!.Value;
        var earlier = new ShellProcess(Me, me.StartTime - 1);
        PlantRecording(sandbox, earlier, "earlier", "B\t1769862000\t/\techo earlier\nE\t1769862001\t0\n");

        var started = recorder.Start(Me, "now", "bash"); // recovers the earlier one first

        var recovered = sandbox.Store.List().Single(s => s.Recovered);
        Assert.Equal("earlier", recovered.Name);
        Assert.Equal(["echo earlier"], sandbox.Store.Load(recovered.Name!).Session.Commands.Select(c => c.Command));
        Assert.Equal("now", started.Name);
        Assert.Equal([$"{me.Key}.active", $"{me.Key}.spool"], sandbox.StateFiles());
    }

    [Fact]
    public void A_recording_whose_state_file_is_unreadable_is_recovered_as_recovered_at_its_first_commands_start()
    {
        using var sandbox = new RecordingSandbox();
        var recorder = sandbox.Recorder(VirtualClock.Create());
        var me = ShellProcess.TryFind(Me)!.Value;
        var earlier = new ShellProcess(Me, me.StartTime - 1);
        PlantRecording(sandbox, earlier, "lost", "B\t1893456000\t/\techo lost\nE\t1893456001\t0\n");
        File.WriteAllText(Path.Combine(sandbox.StateDirectory, earlier.Key + ".active"), "not json");

        var outcome = Assert.Single(recorder.RecoverStale());

        Assert.Equal((StaleOutcome.Saved, null), (outcome.Outcome, outcome.Name));
        Assert.Equal("recovered-2030-01-01-000000", outcome.Saved?.Name); // the first command's start, in the local zone
        Assert.True(sandbox.Store.Load("recovered-2030-01-01-000000").Session.Header.Recovered);
    }

    [Fact]
    public void A_recording_from_an_earlier_boot_is_stale_even_if_its_pid_and_start_time_match_a_live_process()
    {
        using var sandbox = new RecordingSandbox();
        var recorder = sandbox.Recorder();
        var me = ShellProcess.TryFind(Me)!.Value;
        PlantRecording(sandbox, me, "before-reboot", "B\t1769862000\t/\techo old\nE\t1769862001\t0\n", bootId: "00000000-0000-0000-0000-000000000000");

        var outcome = Assert.Single(recorder.RecoverStale());

        Assert.Equal(StaleOutcome.Saved, outcome.Outcome);
        Assert.Empty(sandbox.StateFiles());
    }

    [Fact]
    public void A_stop_that_died_midway_is_completed_by_recovery_without_duplicating_the_session()
    {
        using var sandbox = new RecordingSandbox();
        var recorder = sandbox.Recorder();
        var recording = recorder.Start(Me, "halfway", "bash");
        WriteSpool(sandbox, MyKey, "B\t1769862000\t/\techo 1\nE\t1769862001\t0\nB\t1769862002\t/\techo 2\nE\t1769862003\t0\n");
        // The dead stop had renamed the recording (.stopping) and written the header and the first command.
        File.Move(Path.Combine(sandbox.StateDirectory, MyKey + ".active"), Path.Combine(sandbox.StateDirectory, MyKey + ".stopping"));
        using (var writer = sandbox.Store.Create(new SessionHeader { Id = recording.Id, Name = "halfway", Shell = "bash", Started = recording.Started }))
        {
            writer.Append(new RecordedCommand { Index = 0, Command = "echo 1", Cwd = "/", Started = DateTimeOffset.FromUnixTimeSeconds(1769862000) });
        }

        var outcome = Assert.Single(recorder.RecoverStale());

        Assert.Equal(StaleOutcome.Saved, outcome.Outcome);
        var session = Assert.Single(sandbox.Store.List());
        Assert.Equal(("halfway", 2, SessionStatus.Interrupted), (session.Name, sandbox.Store.Load(recording.Id).Session.Commands.Length, sandbox.Store.Load(recording.Id).Session.Footer?.Status));
        Assert.Empty(sandbox.StateFiles());
    }

    [Fact]
    public void The_spool_reader_keeps_what_it_can_and_reports_the_rest_by_line()
    {
        var spool = Encoding.UTF8.GetBytes(
            "B\t1769862000.5\t/home/ann/a\\tb\tprintf '%s\\\\n' \"x\\ty\" \\\\ ünï\\nsecond line\\r\n" + // 1
            "E\t1769862001.25\t0\n" +                                                                 // 2
            "E\t1769862002\t0\n" +                                                                    // 3: no command open
            "Q\tsomething\n" +                                                                        // 4: unknown kind
            "B\tnot-a-time\t/\tx\n" +                                                                 // 5: corrupt
            "B\t1769862003\t/\tkept unfinished\n" +                                                   // 6
            "B\t1769862004\t/\ttether rec stop\n" +                                                   // 7
            "D\n" +                                                                                   // 8
            "B\t1769862005\t/\tran past the end\n" +                                                  // 9
            "E\t1769862004\t0\n" +                                                                    // 10: clock stepped back
            "B\t1769862006\t/\ttorn");                                                                // 11: no end

        var content = Spool.Parse(spool);

        Assert.Equal(["printf '%s\\n' \"x\ty\" \\ ünï\nsecond line\r", "kept unfinished", "ran past the end"], content.Commands.Select(c => c.Command));
        Assert.Equal("/home/ann/a\tb", content.Commands[0].Cwd);
        Assert.Equal([0, 1, 2], content.Commands.Select(c => c.Index));
        Assert.Equal(TimeSpan.FromSeconds(0.75), content.Commands[0].Duration);
        Assert.Equal((null, null, null), (content.Commands[1].Ended, content.Commands[1].ExitCode, content.Commands[1].Duration));
        Assert.Equal(TimeSpan.Zero, content.Commands[2].Duration);
        Assert.Equal(
            [(3, SessionProblemKinds.OutOfPlace), (4, SessionProblemKinds.UnknownKind), (5, SessionProblemKinds.CorruptLine), (11, SessionProblemKinds.TornLine)],
            content.Problems.Select(p => (p.Line, p.Kind)));
    }

    [Fact]
    public void The_state_directory_comes_from_TETHER_REC_DIR_then_XDG_RUNTIME_DIR_then_TMPDIR()
    {
        static string Resolve(params (string Name, string Value)[] variables) =>
            RecordingDirectory.Resolve(name => variables.FirstOrDefault(v => v.Name == name).Value, 1000);

        Assert.Equal("/x/rec", Resolve(("TETHER_REC_DIR", "/x/rec"), ("XDG_RUNTIME_DIR", "/run/user/1000")));
        Assert.Equal("/run/user/1000/tether/rec", Resolve(("XDG_RUNTIME_DIR", "/run/user/1000"), ("TMPDIR", "/var/tmp")));
        Assert.Equal("/var/tmp/tether-rec-1000", Resolve(("XDG_RUNTIME_DIR", "relative"), ("TMPDIR", "/var/tmp")));
        Assert.Equal("/tmp/tether-rec-1000", Resolve());
    }

    [Fact]
    public void The_state_directory_is_created_owner_only_and_an_open_one_is_tightened()
    {
        using var sandbox = new RecordingSandbox();
        var open = Directory.CreateDirectory(Path.Combine(sandbox.Root, "open"));
        File.SetUnixFileMode(open.FullName, (UnixFileMode)0b111_111_111);

        _ = sandbox.Recorder();
        _ = new Recorder(sandbox.Store, open.FullName);

        Assert.Equal((UnixFileMode)0b111_000_000, File.GetUnixFileMode(sandbox.StateDirectory));
        Assert.Equal((UnixFileMode)0b111_000_000, File.GetUnixFileMode(open.FullName));
    }

    [Fact]
    public void The_shell_is_told_by_the_shell_function_or_else_is_the_parent_process()
    {
        var told = RecordingShell.From(name => name switch { "TETHER_REC_SHELL_PID" => "4242", "TETHER_REC_SHELL" => "zsh", _ => null });
        var untold = RecordingShell.From(_ => null);

        Assert.Equal(new RecordingShell(4242, "zsh"), told);
        Assert.Equal(ProcStat.Read(Me)?.ParentPid, untold.Pid);
    }

    private static void WriteSpool(RecordingSandbox sandbox, string key, string content) =>
        File.AppendAllText(Path.Combine(sandbox.StateDirectory, key + ".spool"), content);

    /// <summary>A recording file as <see cref="Recorder.Start"/> writes it, for a shell that may not exist.</summary>
    private static void PlantRecording(RecordingSandbox sandbox, ShellProcess shell, string name, string spool, string? bootId = null)
    {
        var active = new ActiveFile
        {
            Id = Guid.NewGuid().ToString("D"),
            Name = name,
            Shell = "bash",
            ShellPid = shell.Pid,
            ShellStartTime = shell.StartTime,
            BootId = bootId ?? ShellProcess.BootId(),
            PidNamespace = ShellProcess.PidNamespace(),
            Started = DateTimeOffset.FromUnixTimeSeconds(1769861000),
        };
        Directory.CreateDirectory(sandbox.StateDirectory);
        File.WriteAllBytes(Path.Combine(sandbox.StateDirectory, shell.Key + ".active"), active.Write());
        WriteSpool(sandbox, shell.Key, spool);
    }
}
