namespace Tether.Sessions.Tests;

/// <summary>
/// The hook scripts of <c>tether rec init</c>, in real shells: what they record, what they do not, and what they cost.
/// A recording is started and stopped with <see cref="Recorder"/> from here, as <c>tether rec start</c> and
/// <c>stop</c> would, with the shell's own pid.
/// </summary>
public sealed class HookSpecs
{
    [ShellFact(ShellKind.Bash)]
    public Task Bash_records_each_command_line_with_its_directory_exit_code_and_duration() => RecordsCommandLinesAsync(ShellKind.Bash);

    [ShellFact(ShellKind.Zsh)]
    public Task Zsh_records_each_command_line_with_its_directory_exit_code_and_duration() => RecordsCommandLinesAsync(ShellKind.Zsh);

    [ShellFact(ShellKind.Fish)]
    public Task Fish_records_each_command_line_with_its_directory_exit_code_and_duration() => RecordsCommandLinesAsync(ShellKind.Fish);

    private static async Task RecordsCommandLinesAsync(ShellKind kind)
    {
        using var sandbox = new RecordingSandbox();
        var recorder = sandbox.Recorder();
        var sub = sandbox.Subdirectory("sub dir");
        await using var shell = await InteractiveShell.StartAsync(kind, sandbox);
        await shell.RunAsync("echo before");

        recorder.Start(shell.Pid, "scenario", shell.Name);
        const string quoted = """echo "it's \"quoted\" ünïcødé" """;
        var subshellExit = kind == ShellKind.Fish ? "sh -c 'exit 3'" : "(exit 3)";
        var multiLine = "printf '%s\\n' \"two\nlines\"";
        await shell.RunAsync(quoted);
        await shell.RunAsync($"cd '{sub}'");
        await shell.RunAsync("false");
        await shell.RunAsync(subshellExit);
        await shell.RunAsync("sleep 0.2");
        await shell.RunAsync(multiLine);
        var expected = new List<string> { quoted, $"cd '{sub}'", "false", subshellExit, "sleep 0.2", multiLine };
        if (kind != ShellKind.Fish)
        {
            // A literal tab: bash's line editor needs Ctrl-V Tab; zsh reads a pipe without its line editor. (At fish's
            // terminal a tab completes, and Ctrl-V pastes.)
            await shell.RunAsync(kind == ShellKind.Bash ? "echo \"a\x16\tb\"" : "echo \"a\tb\"");
            expected.Add("echo \"a\tb\"");
        }

        var saved = recorder.Stop(shell.Pid);
        await shell.RunAsync("echo after");

        var session = sandbox.Store.Load("scenario").Session;
        Assert.Equal(expected, session.Commands.Select(c => c.Command));
        Assert.Equal(Enumerable.Range(0, expected.Count), session.Commands.Select(c => c.Index));
        Assert.Equal([sandbox.Root, sandbox.Root, sub, sub, sub, sub], session.Commands.Take(6).Select(c => c.Cwd));
        Assert.Equal([0, 0, 1, 3, 0, 0], session.Commands.Take(6).Select(c => c.ExitCode));
        Assert.True(session.Commands[4].Duration >= TimeSpan.FromMilliseconds(199), $"sleep 0.2 took {session.Commands[4].Duration}");
        Assert.All(session.Commands, c =>
        {
            Assert.NotNull(c.Ended);
            Assert.NotNull(c.Duration);
            Assert.InRange((c.Ended - c.Started - c.Duration)!.Value, TimeSpan.Zero, TimeSpan.FromMilliseconds(1)); // stored in whole ms
        });
        Assert.Equal(SessionStatus.Completed, session.Footer?.Status);
        Assert.Equal(expected.Count, saved.CommandCount);
        Assert.Equal(shell.Name, session.Header.Shell);
        Assert.False(session.Header.Recovered);
        Assert.Empty(saved.Problems);
        Assert.Empty(sandbox.StateFiles()); // and "echo after" did not start a new spool
    }

    [ShellFact(ShellKind.Bash)]
    public async Task Bash_records_nothing_and_writes_nothing_while_the_shell_is_not_recording()
    {
        using var sandbox = new RecordingSandbox();
        _ = sandbox.Recorder(); // creates the state directory, as tether rec init does not
        await using var shell = await InteractiveShell.StartAsync(ShellKind.Bash, sandbox);

        await shell.RunAllAsync(["echo one", "false", "cd /", ":"]);

        Assert.Empty(sandbox.StateFiles());
    }

    [ShellFact(ShellKind.Bash)]
    public async Task Bash_leaves_out_a_line_kept_out_of_its_history_but_records_a_repeated_one()
    {
        using var sandbox = new RecordingSandbox();
        var recorder = sandbox.Recorder();
        await using var shell = await InteractiveShell.StartAsync(ShellKind.Bash, sandbox, before: ["HISTCONTROL=ignoreboth"]);

        recorder.Start(shell.Pid, "history", "bash");
        await shell.RunAllAsync(["echo one", "echo one", " echo secret", "(exit 4)", " (exit 5)", "echo two"]);
        recorder.Stop(shell.Pid);

        var session = sandbox.Store.Load("history").Session;
        Assert.Equal(["echo one", "echo one", "(exit 4)", "echo two"], session.Commands.Select(c => c.Command));
        Assert.Equal([0, 0, 4, 0], session.Commands.Select(c => c.ExitCode));
    }

    [ShellFact(ShellKind.Zsh)]
    public async Task Zsh_leaves_out_a_line_that_starts_with_a_space_under_hist_ignore_space()
    {
        using var sandbox = new RecordingSandbox();
        var recorder = sandbox.Recorder();
        await using var shell = await InteractiveShell.StartAsync(ShellKind.Zsh, sandbox, before: ["setopt hist_ignore_space"]);

        recorder.Start(shell.Pid, "history", "zsh");
        await shell.RunAllAsync(["echo one", " echo secret", "echo two"]);
        recorder.Stop(shell.Pid);

        Assert.Equal(["echo one", "echo two"], sandbox.Store.Load("history").Session.Commands.Select(c => c.Command));
    }

    [ShellFact(ShellKind.Fish)]
    public async Task Fish_leaves_out_a_line_that_starts_with_a_space()
    {
        using var sandbox = new RecordingSandbox();
        var recorder = sandbox.Recorder();
        await using var shell = await InteractiveShell.StartAsync(ShellKind.Fish, sandbox);

        recorder.Start(shell.Pid, "history", "fish");
        await shell.RunAsync("echo one");
        await shell.RunAsync(" echo secret");
        await shell.RunAsync("echo two");
        recorder.Stop(shell.Pid);

        Assert.Equal(["echo one", "echo two"], sandbox.Store.Load("history").Session.Commands.Select(c => c.Command));
    }

    [ShellFact(ShellKind.Bash)]
    public Task Bash_tells_tether_which_shell_it_is_and_keeps_rec_stop_out_of_the_recording() => TellsTetherAsync(ShellKind.Bash);

    [ShellFact(ShellKind.Zsh)]
    public Task Zsh_tells_tether_which_shell_it_is_and_keeps_rec_stop_out_of_the_recording() => TellsTetherAsync(ShellKind.Zsh);

    [ShellFact(ShellKind.Fish)]
    public Task Fish_tells_tether_which_shell_it_is_and_keeps_rec_stop_out_of_the_recording() => TellsTetherAsync(ShellKind.Fish);

    private static async Task TellsTetherAsync(ShellKind kind)
    {
        using var sandbox = new RecordingSandbox();
        sandbox.InstallFakeTether();
        var recorder = sandbox.Recorder();
        await using var shell = await InteractiveShell.StartAsync(kind, sandbox);
        recorder.Start(shell.Pid, "told", shell.Name);
        await shell.RunAsync("echo one");

        await shell.RunAsync("tether rec stop --json");
        recorder.Stop(shell.Pid); // what the real tether would have done, with the pid it was given

        Assert.Equal([shell.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), shell.Name, sandbox.StateDirectory, "rec stop --json"],
            await File.ReadAllLinesAsync(sandbox.TetherCallFile));
        Assert.Equal(["echo one"], sandbox.Store.Load("told").Session.Commands.Select(c => c.Command));
    }

    [ShellFact(ShellKind.Bash)]
    public Task Bash_leaves_every_tether_rec_invocation_out_of_the_recording() => LeavesRecVerbsOutAsync(ShellKind.Bash);

    [ShellFact(ShellKind.Zsh)]
    public Task Zsh_leaves_every_tether_rec_invocation_out_of_the_recording() => LeavesRecVerbsOutAsync(ShellKind.Zsh);

    [ShellFact(ShellKind.Fish)]
    public Task Fish_leaves_every_tether_rec_invocation_out_of_the_recording() => LeavesRecVerbsOutAsync(ShellKind.Fish);

    private static async Task LeavesRecVerbsOutAsync(ShellKind kind)
    {
        using var sandbox = new RecordingSandbox();
        sandbox.InstallFakeTether();
        var recorder = sandbox.Recorder();
        await using var shell = await InteractiveShell.StartAsync(kind, sandbox);
        recorder.Start(shell.Pid, "work", shell.Name);
        var fullPath = Path.Combine(sandbox.Bin, "tether");

        await shell.RunAsync("echo one");
        await shell.RunAsync("tether rec status");
        await shell.RunAsync("command tether rec list --json");
        await shell.RunAsync($"'{fullPath}' rec status");
        await shell.RunAsync("env TETHER_REC_PROMPT=0 tether rec show work; tether rec list");
        await shell.RunAsync("tether --help");
        await shell.RunAsync("echo tether rec status");
        await shell.RunAsync("echo two");
        Assert.Equal(4, recorder.Status(shell.Pid)?.CommandCount); // status, too, counts only the work
        recorder.Stop(shell.Pid);

        Assert.Equal(["echo one", "tether --help", "echo tether rec status", "echo two"],
            sandbox.Store.Load("work").Session.Commands.Select(c => c.Command));
    }

    [ShellFact(ShellKind.Bash)]
    public Task Bash_exports_its_own_pid_as_the_sign_that_it_has_the_hooks() => ExportsHooksMarkerAsync(ShellKind.Bash);

    [ShellFact(ShellKind.Zsh)]
    public Task Zsh_exports_its_own_pid_as_the_sign_that_it_has_the_hooks() => ExportsHooksMarkerAsync(ShellKind.Zsh);

    [ShellFact(ShellKind.Fish)]
    public Task Fish_exports_its_own_pid_as_the_sign_that_it_has_the_hooks() => ExportsHooksMarkerAsync(ShellKind.Fish);

    private static async Task ExportsHooksMarkerAsync(ShellKind kind)
    {
        using var sandbox = new RecordingSandbox();
        await using var shell = await InteractiveShell.StartAsync(kind, sandbox);
        var seen = Path.Combine(sandbox.Root, "seen");

        // Exported: a program the shell starts sees it.
        await shell.RunAsync($"sh -c 'printf %s \"${RecordingShell.HooksVariable}\"' > '{seen}'");

        Assert.Equal(shell.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), await File.ReadAllTextAsync(seen));
    }

    [ShellFact(ShellKind.Bash)]
    public async Task Bash_prompt_shows_a_marker_while_recording_unless_turned_off()
    {
        using var sandbox = new RecordingSandbox();
        var recorder = sandbox.Recorder();
        await using var shell = await InteractiveShell.StartAsync(ShellKind.Bash, sandbox, before: ["PS1='spec$ '"]);

        recorder.Start(shell.Pid, "prompt", "bash");
        await shell.RunAsync(":"); // here `tether rec start` itself: the prompt after it has the marker
        await shell.RunAsync("echo \"ps1-a=[$PS1]\"");
        await shell.RunAsync("TETHER_REC_PROMPT=0");
        await shell.RunAsync("echo \"ps1-b=[$PS1]\"");
        recorder.Stop(shell.Pid);
        await shell.RunAsync("unset TETHER_REC_PROMPT"); // the prompt after it: not recording
        await shell.RunAsync("echo \"ps1-c=[$PS1]\"");

        Assert.Equal("ps1-a=[[rec] spec$ ]", await shell.WaitForOutputAsync(l => l.StartsWith("ps1-a=", StringComparison.Ordinal)));
        Assert.Equal("ps1-b=[spec$ ]", await shell.WaitForOutputAsync(l => l.StartsWith("ps1-b=", StringComparison.Ordinal)));
        Assert.Equal("ps1-c=[spec$ ]", await shell.WaitForOutputAsync(l => l.StartsWith("ps1-c=", StringComparison.Ordinal)));
    }

    [ShellFact(ShellKind.Zsh)]
    public async Task Zsh_prompt_shows_a_marker_while_recording()
    {
        using var sandbox = new RecordingSandbox();
        var recorder = sandbox.Recorder();
        await using var shell = await InteractiveShell.StartAsync(ShellKind.Zsh, sandbox, before: ["PROMPT='spec%# '"]);

        recorder.Start(shell.Pid, "prompt", "zsh");
        await shell.RunAsync(":");
        await shell.RunAsync("print -r -- \"prompt-a=[$PROMPT]\"");
        recorder.Stop(shell.Pid);
        await shell.RunAsync(":");
        await shell.RunAsync("print -r -- \"prompt-b=[$PROMPT]\"");

        Assert.Equal("prompt-a=[[rec] spec%# ]", await shell.WaitForOutputAsync(l => l.StartsWith("prompt-a=", StringComparison.Ordinal)));
        Assert.Equal("prompt-b=[spec%# ]", await shell.WaitForOutputAsync(l => l.StartsWith("prompt-b=", StringComparison.Ordinal)));
    }

    [ShellFact(ShellKind.Fish)]
    public async Task Fish_prompt_shows_a_marker_while_recording()
    {
        using var sandbox = new RecordingSandbox();
        var recorder = sandbox.Recorder();
        await using var shell = await InteractiveShell.StartAsync(ShellKind.Fish, sandbox);

        recorder.Start(shell.Pid, "prompt", "fish");
        await shell.RunAsync("echo \"prompt-\"\"a=[\"(fish_prompt | string collect)");
        recorder.Stop(shell.Pid);
        await shell.RunAsync("echo \"prompt-\"\"b=[\"(fish_prompt | string collect)");

        Assert.Contains("prompt-a=[[rec] ", await shell.WaitForOutputAsync(l => l.Contains("prompt-a=", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.DoesNotContain("[rec]", await shell.WaitForOutputAsync(l => l.Contains("prompt-b=", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [ShellFact(ShellKind.Bash)]
    public async Task Bash_hands_the_exit_code_on_to_an_existing_prompt_command_and_debug_trap()
    {
        using var sandbox = new RecordingSandbox();
        var recorder = sandbox.Recorder();
        await using var shell = await InteractiveShell.StartAsync(ShellKind.Bash, sandbox, before:
        [
            "PROMPT_COMMAND='echo \"theirs saw $?\"'",
            "trap '__spec_traps=$(( ${__spec_traps:-0} + 1 ))' DEBUG",
        ]);

        recorder.Start(shell.Pid, "together", "bash");
        await shell.RunAsync("(exit 7)");
        await shell.RunAsync("echo \"traps=$__spec_traps\"");
        recorder.Stop(shell.Pid);

        Assert.Equal("theirs saw 7", await shell.WaitForOutputAsync(l => l.StartsWith("theirs saw 7", StringComparison.Ordinal)));
        var traps = await shell.WaitForOutputAsync(l => l.StartsWith("traps=", StringComparison.Ordinal));
        Assert.True(int.Parse(traps["traps=".Length..], System.Globalization.CultureInfo.InvariantCulture) > 0, "the DEBUG trap that was there first no longer runs");
        Assert.Equal([7, 0], sandbox.Store.Load("together").Session.Commands.Select(c => c.ExitCode));
    }

    [ShellFact(ShellKind.Bash, strace: true)]
    public Task Bash_hooks_start_no_process_per_command_recording_or_not() => StartsNoProcessAsync(ShellKind.Bash);

    [ShellFact(ShellKind.Zsh, strace: true)]
    public Task Zsh_hooks_start_no_process_per_command_recording_or_not() => StartsNoProcessAsync(ShellKind.Zsh);

    private static async Task StartsNoProcessAsync(ShellKind kind)
    {
        using var sandbox = new RecordingSandbox();
        var recorder = sandbox.Recorder();
        var log = Path.Combine(sandbox.Root, "strace.log");
        string[] builtins = ["echo one", ":", "false", "x=1", "cd /", "cd -", "true"];
        var lines = Enumerable.Repeat(builtins, 15).SelectMany(l => l).ToList(); // 105 command lines

        await using (var shell = await InteractiveShell.StartAsync(kind, sandbox, straceLog: log))
        {
            await shell.RunAllAsync(lines);
            recorder.Start(shell.Pid, "counted", shell.Name);
            await shell.RunAllAsync(lines);
            recorder.Stop(shell.Pid);
            await shell.ExitAsync();
        }

        Assert.Equal(lines.Count, sandbox.Store.Load("counted").Session.Commands.Length);
        var created = File.ReadLines(log).Count(l => l.Contains("clone", StringComparison.Ordinal) || l.Contains("fork(", StringComparison.Ordinal));
        // bash takes one subshell when the hooks load (to read an existing DEBUG trap); 210 command lines start none.
        Assert.True(created <= 2, $"The {ShellHooks.NameOf(kind)} hooks started {created} processes for {2 * lines.Count} builtin command lines:\n{string.Join('\n', File.ReadLines(log).Take(20))}");
    }

    [ShellFact(ShellKind.Bash)]
    public async Task Bash_runs_a_thousand_command_lines_quickly_whether_recording_or_not()
    {
        using var sandbox = new RecordingSandbox();
        var recorder = sandbox.Recorder();
        await using var shell = await InteractiveShell.StartAsync(ShellKind.Bash, sandbox);
        var lines = Enumerable.Repeat(":", 1000).ToList();

        var start = TimeProvider.System.GetTimestamp();
        await shell.RunAllAsync(lines);
        var idle = TimeProvider.System.GetElapsedTime(start);
        recorder.Start(shell.Pid, "timed", "bash");
        start = TimeProvider.System.GetTimestamp();
        await shell.RunAllAsync(lines);
        var recording = TimeProvider.System.GetElapsedTime(start);
        recorder.Stop(shell.Pid);

        // Generous bounds for a shared machine (about 0.3 s and 0.6 s here): the budget is 5 ms per recorded command.
        Assert.True(idle < TimeSpan.FromSeconds(2), $"1000 command lines took {idle} while not recording.");
        Assert.True(recording < TimeSpan.FromSeconds(5), $"1000 command lines took {recording} while recording.");
        Assert.Equal(1000, sandbox.Store.Load("timed").Session.Commands.Length);
    }
}
