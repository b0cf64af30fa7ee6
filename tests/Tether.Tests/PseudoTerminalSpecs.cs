namespace Tether.Tests;

/// <summary>Runs in a pseudo-terminal: the child sees a real controlling terminal, and the tree is contained as usual.</summary>
public sealed class PseudoTerminalSpecs
{
    // Fields of /proc/self/stat as the shell itself sees them ($1 pid, $6 session, $7 tty_nr, $8 foreground group).
    private const string OwnStat = "read -r s < /proc/self/stat; set -- $s; ";

    [Fact]
    public async Task The_child_sees_a_terminal_on_stdin_stdout_and_stderr()
    {
        var stdout = await ProcessRunner.Default.RunAsync(Shell.Command("test -t 0 && test -t 1 && test -t 2 && echo terminal").WithPseudoTerminal());

        Assert.Equal("terminal", Clean(stdout));
    }

    [Fact]
    public async Task The_terminal_is_the_childs_controlling_terminal_with_the_child_in_the_foreground()
    {
        // Act
        var stdout = await ProcessRunner.Default.RunAsync(Shell.Command(OwnStat + "echo $1 $6 $7 $8").WithPseudoTerminal());

        // Assert: it leads its session, has a terminal (tty_nr != 0), and its group is the terminal's foreground group.
        var fields = Clean(stdout).Split(' ');
        Assert.Equal(fields[0], fields[1]);
        Assert.NotEqual("0", fields[2]);
        Assert.Equal(fields[0], fields[3]);
    }

    [Fact]
    public async Task Colour_output_appears_as_in_a_terminal()
    {
        // Arrange
        var directory = Directory.CreateTempSubdirectory("tether-specs-");
        try
        {
            Directory.CreateDirectory(Path.Combine(directory.FullName, "subdirectory"));
            var command = new Command("ls").WithArguments("--color=auto", directory.FullName).WithEnvironmentVariable("TERM", "xterm-256color");

            // Act
            var inTerminal = await ProcessRunner.Default.RunAsync(command.WithPseudoTerminal());
            var inPipe = await ProcessRunner.Default.RunAsync(command);

            // Assert
            Assert.Contains("\u001b[", inTerminal, StringComparison.Ordinal);
            Assert.DoesNotContain("\u001b[", inPipe, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task The_terminal_has_the_size_asked_for()
    {
        var stdout = await ProcessRunner.Default.RunAsync(new Command("stty").WithArguments("size").WithPseudoTerminal(132, 43));

        Assert.Equal("43 132", Clean(stdout));
    }

    [Fact]
    public async Task A_resize_while_running_is_seen_by_the_child()
    {
        // Arrange: the shell reports the size on SIGWINCH, which the kernel sends on a resize.
        var command = Shell.Command("trap 'stty size' WINCH; echo ready; while :; do sleep 1; done").WithPseudoTerminal(80, 24);
        await using var process = await ProcessRunner.Default.StartAsync(command);
        await process.WaitForLineAsync(l => Clean(l) == "ready", Bounds.Eventually);

        Assert.True(RelayThreads() >= 1, "the output relay thread is not seen, so the leak spec could not see one either");

        // Act
        process.ResizeTerminal(100, 30);

        // Assert
        await process.WaitForLineAsync(l => Clean(l) == "30 100", Bounds.Eventually);
    }

    [Fact]
    public async Task Stdin_is_typed_into_the_terminal_without_echo_and_ends_with_end_of_file()
    {
        var result = await ProcessRunner.Default.OutputStringAsync(new Command("cat").WithStdin("secret\n").WithPseudoTerminal()).Soon();

        Assert.Equal(new Outcome.Exited(0), result.Outcome);
        Assert.Equal("secret", Clean(result.Stdout));
    }

    [Fact]
    public async Task Stderr_arrives_on_stdout_through_the_terminal()
    {
        var result = await ProcessRunner.Default.OutputStringAsync(Shell.Command("echo out; echo err >&2").WithPseudoTerminal());

        Assert.Equal("out\nerr", Clean(result.Stdout));
        Assert.Equal("", result.Stderr);
    }

    [Fact]
    public async Task A_program_that_ignores_SIGHUP_is_still_killed_with_its_run()
    {
        // Arrange: closing the terminal sends SIGHUP, which this program ignores.
        int pid;
        await using (var process = await ProcessRunner.Default.StartAsync(Shell.Command("trap '' HUP; echo ready; exec sleep 600").WithPseudoTerminal()))
        {
            await process.WaitForLineAsync(l => Clean(l) == "ready", Bounds.Eventually);
            pid = process.Pid;

            // Act: leaving the block disposes the run.
        }

        // Assert
        Assert.True(await Bounds.EventuallyAsync(() => !ProcessTable.IsAlive(pid), Bounds.TreeGone), $"pid {pid} outlived its run");
    }

    [Fact]
    public async Task A_pseudo_terminal_is_refused_for_a_pipeline()
    {
        var pipeline = Shell.Command("echo x") | new Command("cat").WithPseudoTerminal();

        var error = await Assert.ThrowsAsync<UnsupportedException>(() => ProcessRunner.Default.RunAsync(pipeline));

        Assert.Contains("only a single command can run in one", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task This_processs_own_stdin_is_refused_with_a_pseudo_terminal_whose_input_tether_writes()
    {
        using var leftovers = new Leftovers();
        var command = new Command("cat").WithPseudoTerminal().WithStdin(StandardInput.Inherited);

        var error = await Assert.ThrowsAsync<UnsupportedException>(() => ProcessRunner.Default.RunAsync(command));

        Assert.Contains("leave out one or the other", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resizing_a_run_without_a_terminal_is_a_mistake()
    {
        await using var process = await ProcessRunner.Default.StartAsync(Shell.Command("exec sleep 600"));

        Assert.Throws<InvalidOperationException>(() => process.ResizeTerminal(100, 30));
    }

    [Fact]
    public async Task A_thousand_terminal_runs_leave_no_descriptor_open()
    {
        // Arrange: one run first, so that whatever Tether opens once per process is open.
        var command = Shell.Command("echo x").WithPseudoTerminal();
        await ProcessRunner.Default.RunAsync(command);
        var before = Descriptors();

        // Act
        for (var i = 0; i < 1000; i++)
        {
            Assert.Equal("x", Clean(await ProcessRunner.Default.RunAsync(command)));
        }

        // Assert: no terminal is left open and no output relay is left running. Specs running in parallel open and
        // close descriptors meanwhile, so the total gets slack, far below the thousand a per-run leak would add.
        var after = Descriptors();
        Assert.Equal(before.Count(IsTerminal), after.Count(IsTerminal));
        Assert.True(await Bounds.EventuallyAsync(() => RelayThreads() == 0), $"{RelayThreads()} output relays still running");
        Assert.True(after.Count <= before.Count + 50, $"{before.Count} descriptors before, {after.Count} after");
    }

    private static bool IsTerminal(string target) => target == "/dev/ptmx" || target.StartsWith("/dev/pts/", StringComparison.Ordinal);

    /// <summary>Threads called "Tether terminal output" (the kernel keeps 15 characters of a thread's name).</summary>
    private static int RelayThreads() => Directory.EnumerateDirectories("/proc/self/task")
        .Count(task => File.Exists(task + "/comm") && ReadOrEmpty(task + "/comm").TrimEnd() == "Tether terminal");

    private static string ReadOrEmpty(string file)
    {
        try
        {
            return File.ReadAllText(file);
        }
        catch (IOException)
        {
            return ""; // the thread ended meanwhile
        }
    }

    /// <summary>A terminal ends lines with CR LF; the specs compare text.</summary>
    private static string Clean(string text) => text.Replace("\r", "", StringComparison.Ordinal).Trim();

    private static List<string> Descriptors() =>
        [.. new DirectoryInfo("/proc/self/fd").EnumerateFileSystemInfos().Select(f => f.LinkTarget ?? "")];
}
