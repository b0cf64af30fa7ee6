using System.Diagnostics;
using System.Globalization;

namespace Tether.Tests;

/// <summary>Detached runs: the one way out of the no-orphan guarantee.</summary>
public sealed class DetachedSpecs
{
    [Fact]
    public async Task A_detached_process_survives_its_SIGKILLed_owner_outside_its_containment()
    {
        // Arrange: the owner starts a detached sleeper and a contained one, then is SIGKILLed.
        using var leftovers = new Leftovers();
        var output = Path.Combine(Path.GetTempPath(), $"tether-detached-{Guid.NewGuid():N}.log");
        var start = new ProcessStartInfo(Dummy.Path, ["detach-host", output])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var host = Process.Start(start)!;
        var hostStderr = host.StandardError.ReadToEndAsync();
        try
        {
            var pids = new Dictionary<string, TrackedProcess>();
            while (await host.StandardOutput.ReadLineAsync().Soon() is { } line && line != "ready")
            {
                var parts = line.Split(' ');
                pids[parts[0]] = leftovers.Track(int.Parse(parts[1], CultureInfo.InvariantCulture));
            }

            Assert.True(pids.ContainsKey("detached") && pids.ContainsKey("contained"), $"the host reported its processes; stderr: {await StderrOf(hostStderr)}");
            var detached = pids["detached"];
            var hostGroup = ProcessTable.ProcessGroupOf(host.Id);
            var hostCgroup = ProcessTable.CgroupOf(host.Id);

            // Act
            Assert.True(ProcessTable.Signal(host.Id, ProcessTable.SIGKILL));
            await host.WaitForExitAsync().Soon();

            // Assert: the contained tree died with its owner (the warden did its work) and the detached one did not.
            Assert.Empty(await ProcessTable.WaitUntilGoneAsync([pids["contained"]]));
            Assert.True(detached.IsAlive, "the detached process died with its owner");
            Assert.Equal(detached.Pid, ProcessTable.ProcessGroupOf(detached.Pid));
            Assert.NotEqual(hostGroup, ProcessTable.ProcessGroupOf(detached.Pid));
            Assert.Equal(detached.Pid, SessionOf(detached.Pid));
            Assert.Equal(hostCgroup, ProcessTable.CgroupOf(detached.Pid));
            Assert.DoesNotContain($"/tether-{host.Id}/", ProcessTable.CgroupOf(detached.Pid) ?? "", StringComparison.Ordinal);
            Assert.NotEqual(host.Id, ParentOf(detached.Pid));
            Assert.True(await Bounds.EventuallyAsync(() => File.Exists(output) && File.ReadAllText(output) == "started\n"));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(output));
        }
        finally
        {
            if (!host.HasExited)
            {
                host.Kill();
            }

            File.Delete(output);
        }
    }

    [Fact]
    public async Task A_detached_process_is_in_its_own_session_and_is_reaped_when_it_exits_while_we_live()
    {
        // Arrange
        using var leftovers = new Leftovers();
        var gate = Path.Combine(Path.GetTempPath(), $"tether-detached-{Guid.NewGuid():N}");
        var command = new Command("/bin/sh").WithArguments("-c", "while [ ! -e \"$0\" ]; do sleep 0.05; done", gate);

        // Act
        var detached = await ProcessRunner.Default.StartDetachedAsync(command);
        var tracked = leftovers.Track(detached.Pid);
        try
        {
            // Assert: running, in a new session of its own, not in any run's cgroup leaf.
            Assert.True(detached.IsRunning);
            Assert.Equal((ulong)ProcessTable.ReadStat(detached.Pid)!.Value.StartTime, detached.StartTime);
            Assert.Equal(detached.Pid, SessionOf(detached.Pid));
            Assert.NotEqual(ProcessTable.ProcessGroupOf(Environment.ProcessId), ProcessTable.ProcessGroupOf(detached.Pid));
            Assert.Equal(ProcessTable.CgroupOf(Environment.ProcessId), ProcessTable.CgroupOf(detached.Pid));

            // When it exits, it is reaped: no zombie is left in the process table.
            await File.WriteAllTextAsync(gate, "");
            Assert.True(await Bounds.EventuallyAsync(() => !File.Exists($"/proc/{detached.Pid}/stat") || ProcessTable.ReadStat(detached.Pid)!.Value.StartTime != (long)detached.StartTime),
                $"pid {detached.Pid} is still in the process table: {ProcessTable.ReadStat(detached.Pid)}");
            Assert.False(detached.IsRunning);
        }
        finally
        {
            File.Delete(gate);
            ProcessTable.Kill(tracked);
        }
    }

    [Fact]
    public async Task What_only_a_watched_run_has_is_refused_and_a_missing_program_is_reported()
    {
        await Assert.ThrowsAsync<NotSupportedException>(() => ProcessRunner.Default.StartDetachedAsync(Shell.Command("true").WithTimeout(TimeSpan.FromSeconds(1))));
        await Assert.ThrowsAsync<NotSupportedException>(() => ProcessRunner.Default.StartDetachedAsync(Shell.Command("true").WithStdin("x")));
        await Assert.ThrowsAsync<ProgramNotFoundException>(() => ProcessRunner.Default.StartDetachedAsync(new Command("/nonexistent/tether-daemon")));
    }

    private static int SessionOf(int pid) => StatField(pid, 6);

    private static int ParentOf(int pid) => StatField(pid, 4);

    // Field numbers as in proc(5): 3 is the state (the first after "pid (comm) "), 4 the parent, 6 the session.
    private static int StatField(int pid, int field)
    {
        var text = File.ReadAllText($"/proc/{pid}/stat");
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[field - 3], CultureInfo.InvariantCulture);
    }

    private static async Task<string> StderrOf(Task<string> stderr) =>
        await Task.WhenAny(stderr, Task.Delay(TimeSpan.FromSeconds(2))) == stderr ? await stderr : "(still open)";
}
