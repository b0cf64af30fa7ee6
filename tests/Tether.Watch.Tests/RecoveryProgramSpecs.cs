namespace Tether.Watch.Tests;

/// <summary>
/// <see cref="Watcher.StartAsync"/> vets the recovery program before it binds anything, looking it up as the recovery
/// will: on the recovery's own <c>PATH</c>, not the watcher's.
/// </summary>
public sealed class RecoveryProgramSpecs : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tether-recprog-").FullName;

    private string SocketPath => Path.Combine(_directory, "watch.sock");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private WatcherOptions Options(string commandLine, RecoveryOptions? recovery = null) => new()
    {
        SocketPath = SocketPath,
        Recovery = RecoveryCommand.Parse(commandLine),
        RecoveryOptions = recovery ?? new RecoveryOptions(),
    };

    [Fact]
    public async Task A_program_missing_from_the_cleared_PATH_is_refused_before_the_socket_is_bound()
    {
        var ex = await Assert.ThrowsAsync<RecoveryProgramRefusedException>(() => Watcher.StartAsync(Options("tether-no-such-program {pid}")));

        Assert.Equal(RecoveryProgramRefusal.NotFound, ex.Refusal);
        Assert.Equal("tether-no-such-program", ex.Program);
        Assert.Contains("(/usr/bin:/bin)", ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(SocketPath));
    }

    [Fact]
    public async Task A_program_is_looked_up_on_the_recoverys_PATH_not_the_watchers()
    {
        var bin = Directory.CreateDirectory(Path.Combine(_directory, "bin")).FullName;
        var program = Path.Combine(bin, "restart-worker");
        File.WriteAllText(program, "#!/bin/sh\n");
        File.SetUnixFileMode(program, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        await Assert.ThrowsAsync<RecoveryProgramRefusedException>(() => Watcher.StartAsync(Options("restart-worker {pid}")));
        await using var watcher = await Watcher.StartAsync(Options("restart-worker {pid}", new RecoveryOptions { Environment = new Dictionary<string, string> { ["PATH"] = bin } }));

        Assert.False(watcher.Completion.IsCompleted);
    }

    [Fact]
    public async Task A_file_that_is_not_executable_is_refused_and_so_is_a_world_writable_one()
    {
        var program = Path.Combine(_directory, "restart");
        File.WriteAllText(program, "#!/bin/sh\n");
        File.SetUnixFileMode(program, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var notExecutable = await Assert.ThrowsAsync<RecoveryProgramRefusedException>(() => Watcher.StartAsync(Options($"'{program}' {{pid}}")));
        File.SetUnixFileMode(program, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherWrite);
        var worldWritable = await Assert.ThrowsAsync<RecoveryProgramRefusedException>(() => Watcher.StartAsync(Options($"'{program}' {{pid}}")));

        Assert.Equal(RecoveryProgramRefusal.NotExecutable, notExecutable.Refusal);
        Assert.Equal(RecoveryProgramRefusal.WorldWritable, worldWritable.Refusal);
        Assert.False(File.Exists(SocketPath));
    }

    [Fact]
    public async Task A_program_named_by_the_pid_cannot_be_vetted_ahead_and_is_left_to_run_time()
    {
        await using var watcher = await Watcher.StartAsync(Options("/run/agents/{pid}/restart"));

        Assert.False(watcher.Completion.IsCompleted);
    }
}
