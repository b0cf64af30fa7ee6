using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Tether.Cli.Tests.Infrastructure;

namespace Tether.Cli.Tests;

/// <summary>The built tool as a real process: real signals, real pipes, real process trees.</summary>
public sealed class EndToEndSpecs
{
    private static readonly string Executable = Tool.Executable;

    [Fact]
    public async Task Ctrl_C_stops_the_whole_tree_and_tether_exits_130()
    {
        using var tether = Start(["run", "--json", "--", Dummy.Path, "grandchild", "--hold-stdout", "--then-sleep", "600000"]);
        var grandchild = 0;
        var child = 0;
        try
        {
            grandchild = ParsePid(await ReadLineAsync(tether), "grandchild");
            Assert.True(Processes.IsAlive(grandchild));

            Processes.Signal(tether.Id, Processes.SigInt);
            var (exitCode, stdout, stderr) = await WaitAsync(tether);

            Assert.True(exitCode == 130, $"exit {exitCode}; stderr: {stderr}");
            using var json = JsonDocument.Parse(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]);
            Assert.Equal("interrupted", json.RootElement.GetProperty("outcome").GetString());
            child = json.RootElement.GetProperty("pid").GetInt32();
            Assert.Contains("interrupted", stderr, StringComparison.Ordinal);
            await Tool.EventuallyAsync(() => !Processes.IsAlive(child) && !Processes.IsAlive(grandchild), "the child and the grandchild are gone");
        }
        finally
        {
            Cleanup(tether, child, grandchild);
        }
    }

    [Fact]
    public async Task Nothing_survives_tether_even_when_tether_itself_is_killed()
    {
        using var tether = Start(["run", "--", "/bin/sh", "-c", "echo $$; sleep 600 & echo $!; wait"]);
        var child = 0;
        var grandchild = 0;
        try
        {
            child = ParsePid(await ReadLineAsync(tether), null);
            grandchild = ParsePid(await ReadLineAsync(tether), null);

            Processes.Signal(tether.Id, Processes.SigKill);
            await WaitAsync(tether);

            await Tool.EventuallyAsync(() => !Processes.IsAlive(child) && !Processes.IsAlive(grandchild), "the child and the grandchild are gone");
        }
        finally
        {
            Cleanup(tether, child, grandchild);
        }
    }

    [Fact]
    public async Task When_nobody_reads_tethers_stdout_any_more_the_program_gets_SIGPIPE()
    {
        using var tether = Start(["run", "--", "/bin/sh", "-c", "while :; do echo y; done"]);
        try
        {
            Assert.Equal("y", await ReadLineAsync(tether));

            tether.StandardOutput.Close();
            var exitCode = await WaitForExitAsync(tether);

            Assert.Equal(128 + 13, exitCode);
        }
        finally
        {
            Cleanup(tether);
        }
    }

    [Fact]
    public async Task A_stdin_that_stays_open_does_not_keep_tether_running_after_the_program_exits()
    {
        using var tether = Start(["run", "--", Dummy.Path, "exit", "7"], closeStdin: false);
        try
        {
            var (exitCode, _, stderr) = await WaitAsync(tether);

            Assert.True(exitCode == 7, $"exit {exitCode}; stderr: {stderr}");
        }
        finally
        {
            Cleanup(tether);
        }
    }

    [Fact]
    public async Task A_piped_stdin_is_the_programs_own_and_what_it_does_not_read_is_left_for_the_next_reader()
    {
        // dash's read takes a line from a pipe a byte at a time, so bare it leaves "b" for cat. Forwarded through
        // tether, the whole pipe was read ahead and "b" was lost.
        var script = "printf 'a\\nb\\n' | { \"$0\" run -- /bin/sh -c 'read x; echo got \"$x\"'; cat; }";

        var result = await Tool.RunProgramAsync("/bin/sh", ["-c", script, Executable], new Dictionary<string, string?>());

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("got a\nb\n", result.Stdout);
    }

    [Fact]
    public async Task A_file_stdin_is_read_from_where_the_shell_left_it_and_left_where_the_program_stopped()
    {
        using var directory = new TempDirectory();
        var file = Path.Combine(directory.Path, "input");
        await File.WriteAllTextAsync(file, "one\ntwo\nthree\n");
        var script = "{ read first; \"$0\" run -- /bin/sh -c 'read x; echo got \"$x\"'; cat; } < \"$1\"";

        var result = await Tool.RunProgramAsync("/bin/sh", ["-c", script, Executable, file], new Dictionary<string, string?>());

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("got two\nthree\n", result.Stdout);
    }

    [Fact]
    public async Task Tether_leaves_the_stdout_it_shares_with_others_blocking()
    {
        // O_NONBLOCK lives on the open file description: set by tether, the shell after it would see EAGAIN.
        var info = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("\"$0\" run -- /bin/sh -c 'echo streamed' && grep '^flags:' /proc/self/fdinfo/1");
        info.ArgumentList.Add(Executable);
        using var shell = Process.Start(info)!;
        try
        {
            var (exitCode, stdout, stderr) = await WaitAsync(shell);

            Assert.True(exitCode == 0, $"exit {exitCode}; stderr: {stderr}");
            var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal("streamed", lines[0]);
            var flags = Convert.ToInt32(lines[1]["flags:".Length..].Trim(), 8);
            const int nonBlocking = 0x800; // O_NONBLOCK
            Assert.True((flags & nonBlocking) == 0, $"stdout was left non-blocking: {lines[1]}");
        }
        finally
        {
            Cleanup(shell);
        }
    }

    [Fact]
    public async Task A_bad_option_exits_2_with_one_line_on_stderr()
    {
        using var tether = Start(["run", "--timeout", "5x", "--", Dummy.Path, "exit", "0"]);
        try
        {
            var (exitCode, stdout, stderr) = await WaitAsync(tether);

            Assert.Equal(2, exitCode);
            Assert.Empty(stdout);
            Assert.Equal(
                "tether: --timeout: '5x' is not a duration: write a number with a unit, such as 500ms, 2s, 1.5s, 5m or 1h.\n",
                stderr);
        }
        finally
        {
            Cleanup(tether);
        }
    }

    private static Process Start(string[] args, bool closeStdin = true) => Tool.StartChild(args, closeStdin);

    private static async Task<string> ReadLineAsync(Process process) =>
        await process.StandardOutput.ReadLineAsync().WaitAsync(Tool.Hang) ?? throw new InvalidOperationException("tether's stdout ended early.");

    private static async Task<int> WaitForExitAsync(Process process)
    {
        await process.WaitForExitAsync().WaitAsync(Tool.Hang);
        return process.ExitCode;
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> WaitAsync(Process process)
    {
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var exitCode = await WaitForExitAsync(process);
        return (exitCode, await stdout.WaitAsync(Tool.Hang), await stderr.WaitAsync(Tool.Hang));
    }

    private static int ParsePid(string line, string? prefix)
    {
        var text = prefix is null ? line : line[(prefix.Length + 1)..];
        return int.Parse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture);
    }

    private static void Cleanup(Process tether, params int[] pids)
    {
        try
        {
            if (!tether.HasExited)
            {
                tether.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
        }

        foreach (var pid in pids)
        {
            if (Processes.IsAlive(pid))
            {
                Processes.Signal(pid, Processes.SigKill);
            }
        }
    }
}
