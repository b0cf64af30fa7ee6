using Tether.Cli.Tests.Infrastructure;

namespace Tether.Cli.Tests;

/// <summary>
/// <c>tether watch</c> vets its recovery program at start-up, as the recovery would look it up, and refuses a program
/// that could not run with one line and exit 1 — before any socket exists — instead of failing only when an agent
/// stalls.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class WatchValidationSpecs : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string SocketPath => _temp.Child("watch.sock");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_recovery_program_that_is_not_on_the_recoverys_PATH_is_refused_at_start_up()
    {
        var result = await Tool.RunAsync("watch", "--socket", SocketPath, "--recovery-exec", "nosuchprogram {pid}");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal(
            "tether: watch: --recovery-exec: Recovery program 'nosuchprogram' was not found on the recovery's PATH (/usr/bin:/bin); give its full path, or put its directory on the recovery's PATH (--recovery-env PATH=DIRS).",
            result.SingleErrorLine());
        Assert.Empty(result.Stdout);
        Assert.False(Path.Exists(SocketPath));
    }

    [Fact]
    public async Task A_missing_absolute_program_is_refused_with_its_path()
    {
        var missing = _temp.Child("gone");

        var result = await Tool.RunAsync("watch", "--socket", SocketPath, "--recovery-exec", $"'{missing}' {{pid}}");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal($"tether: watch: --recovery-exec: Recovery program '{missing}' does not exist ({missing}); check the path.", result.SingleErrorLine());
        Assert.False(Path.Exists(SocketPath));
    }

    [Fact]
    public async Task A_program_that_is_not_executable_a_directory_or_world_writable_is_refused()
    {
        var plain = _temp.Child("plain");
        File.WriteAllText(plain, "#!/bin/sh\n");
        File.SetUnixFileMode(plain, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var open = _temp.Child("open");
        File.WriteAllText(open, "#!/bin/sh\n");
        File.SetUnixFileMode(open, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherWrite);

        var notExecutable = await Tool.RunAsync("watch", "--socket", SocketPath, "--recovery-exec", $"'{plain}' {{pid}}");
        var directory = await Tool.RunAsync("watch", "--socket", SocketPath, "--recovery-exec", $"'{_temp.Path}' {{pid}}");
        var worldWritable = await Tool.RunAsync("watch", "--socket", SocketPath, "--recovery-exec", $"'{open}' {{pid}}");

        Assert.True(notExecutable.ExitCode == 1, notExecutable.ToString());
        Assert.Contains("is not executable by the watcher's user", notExecutable.SingleErrorLine(), StringComparison.Ordinal);
        Assert.True(directory.ExitCode == 1, directory.ToString());
        Assert.Contains("is a directory", directory.SingleErrorLine(), StringComparison.Ordinal);
        Assert.True(worldWritable.ExitCode == 1, worldWritable.ToString());
        Assert.Contains("is world-writable", worldWritable.SingleErrorLine(), StringComparison.Ordinal);
        Assert.False(Path.Exists(SocketPath));
    }

    [Fact]
    public async Task A_recovery_file_naming_a_missing_program_is_refused_under_its_own_option()
    {
        var file = _temp.Child("recovery.cmd");
        File.WriteAllText(file, "nosuchprogram {pid}\n");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var result = await Tool.RunAsync("watch", "--socket", SocketPath, "--recovery-exec-file", file);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.StartsWith("tether: watch: --recovery-exec-file: Recovery program 'nosuchprogram' was not found", result.SingleErrorLine(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_socket_in_a_directory_that_accepts_no_files_names_that_cause_not_a_missing_directory()
    {
        var result = await Tool.RunAsync("watch", "--socket", "/proc/tether-watch.sock");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal(
            "tether: watch: Cannot listen at unix:/proc/tether-watch.sock: the directory accepts no new files (a special file system such as /proc or /sys); choose a path under /run or /tmp.",
            result.SingleErrorLine());
    }

    [Fact]
    public async Task A_program_found_on_the_PATH_given_with_recovery_env_is_accepted()
    {
        var bin = Directory.CreateDirectory(_temp.Child("bin")).FullName;
        var program = Path.Combine(bin, "restart-worker");
        File.WriteAllText(program, "#!/bin/sh\n");
        File.SetUnixFileMode(program, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        using var interruption = new Interruption();

        var (run, console) = Tool.Start(["watch", "--socket", SocketPath, "--recovery-exec", "restart-worker {pid}", "--recovery-env", $"PATH={bin}"], interruption);
        try
        {
            await Tool.EventuallyAsync(() => Path.Exists(SocketPath) || run.IsCompleted, "the watcher listens");
        }
        finally
        {
            interruption.Request();
        }

        Assert.True(await run.WaitAsync(Tool.Hang) == 0, console.Stderr);
    }
}
