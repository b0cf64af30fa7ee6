using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Tether.Cli.Tests.Infrastructure;
using Tether.Tests.Infrastructure;

namespace Tether.Cli.Tests.Up;

/// <summary>
/// <c>tether up</c> through the real tool, as a user runs it: services start in dependency order; neither SIGKILL of the
/// supervisor nor a graceful stop leaves any process of any service — not a setsid child, not a double-forked
/// grandchild; restart, scale and reload act on the running set (an invalid file changes nothing); as PID 1 it reaps
/// orphaned zombies; under systemd's notify protocol it says READY=1.
/// </summary>
public sealed class UpEndToEndSpecs
{
    /// <summary>A service whose tree escapes its process group twice over: a setsid child and a double-forked grandchild.</summary>
    private const string EscapingStack = """
        services:
          plain:
            command: [$DIR/sleeper, "1000"]
          escaper:
            shell: "setsid $DIR/sleeper 1001 & ($DIR/sleeper 1002 &); exec $DIR/sleeper 1003"
            depends_on: [plain]
        """;

    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Services_start_in_dependency_order_and_a_graceful_stop_leaves_no_process()
    {
        using var project = new StackProject("""
            services:
              migrate:
                shell: "echo migrate >> $DIR/order"
                restart: "no"
              web:
                shell: "echo web >> $DIR/order; setsid $DIR/sleeper 1001 & ($DIR/sleeper 1002 &); exec $DIR/sleeper 1000"
                depends_on: {migrate: {condition: completed_successfully}}
                ready: {exec: [grep, -qx, web, $DIR/order], period: 100ms}
              worker:
                shell: "echo worker >> $DIR/order; exec $DIR/sleeper 1000"
                depends_on: {web: {condition: ready}}
            """);
        using var up = Tool.StartChild(["up", "-f", project.YamlPath]);
        var output = Collect(up);

        await Tool.EventuallyAsync(() => project.Sleepers().Count == 4, "web (with its setsid child and grandchild) and worker run", Generous);
        Processes.Signal(up.Id, 15);
        await up.WaitForExitAsync().WaitAsync(Tool.Hang);

        Assert.True(up.ExitCode == 0, $"exit {up.ExitCode}\n{output}");
        Assert.Equal(["migrate", "web", "worker"], File.ReadAllLines(Path.Combine(project.Directory, "order")));
        Assert.Empty(project.Sleepers());
        Assert.Matches(@"worker\s+\* ready", output.ToString()); // the foreground shows state changes by name
    }

    [Fact]
    public async Task Up_killed_with_sigkill_leaves_no_process_of_any_service_over_twenty_runs()
    {
        using var project = new StackProject(EscapingStack);
        for (var run = 1; run <= 20; run++)
        {
            using var up = Tool.StartChild(["up", "-f", project.YamlPath]);
            var output = Collect(up);
            await Tool.EventuallyAsync(() => project.Sleepers().Count == 4, $"run {run}: every process of the stack runs ({output})", Generous);

            up.Kill(); // SIGKILL: no handler of ours runs
            await up.WaitForExitAsync().WaitAsync(Tool.Hang);

            await Tool.EventuallyAsync(() => project.Sleepers().Count == 0, $"run {run}: nothing of the stack outlives the supervisor (left: {string.Join(", ", project.Sleepers())})", TimeSpan.FromSeconds(15));
        }
    }

    [Fact]
    public async Task A_second_interrupt_kills_a_tree_that_ignores_the_stop_signal_instead_of_waiting_out_its_grace()
    {
        using var project = new StackProject("""
            services:
              stubborn:
                shell: "trap '' TERM INT; $DIR/sleeper 1000 & wait; wait"
                stop: {signal: SIGTERM, grace: 10m}
            """);
        using var up = Tool.StartChild(["up", "-f", project.YamlPath]);
        var output = Collect(up);
        await Tool.EventuallyAsync(() => project.Sleepers().Count == 1, "the stubborn service runs", Generous);

        Processes.Signal(up.Id, 2);
        await Tool.EventuallyAsync(() => output.ToString().Contains("Ctrl+C again", StringComparison.Ordinal), $"the first interrupt starts a graceful stop ({output})", Generous);
        Assert.False(up.WaitForExit(TimeSpan.FromSeconds(1)), "the graceful stop waits for the grace period");
        Processes.Signal(up.Id, 2);
        await up.WaitForExitAsync().WaitAsync(Generous);

        await Tool.EventuallyAsync(() => project.Sleepers().Count == 0, "the forced stop left nothing", TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task Restart_scale_and_reload_act_on_the_running_set_and_down_stops_it()
    {
        using var project = new StackProject("""
            services:
              web:
                command: [$DIR/sleeper, "1000"]
              worker:
                command: [$DIR/sleeper, "1001"]
            """);
        var started = await Tool.RunChildAsync(["up", "-d", "-f", project.YamlPath], new Dictionary<string, string?>(), project.Directory);
        Assert.True(started.ExitCode == 0, started.ToString());
        Assert.Contains("control.sock", started.Stdout, StringComparison.Ordinal);
        try
        {
            await Tool.EventuallyAsync(() => project.Sleepers().Count == 2, "both services run", Generous);
            var second = await Tool.RunAsync("up", "-f", project.YamlPath);
            Assert.Equal(1, second.ExitCode);
            Assert.Contains("already running", second.SingleErrorLine(), StringComparison.Ordinal);

            var webPid = await PidAsync(project, "web");
            var restarted = await Tool.RunAsync("restart", "web", "-f", project.YamlPath);
            Assert.True(restarted.ExitCode == 0, restarted.ToString());
            await EventuallyAsync(async () => await PidAsync(project, "web") is { } pid && pid != webPid, "web runs again with a new pid");
            var journal = await Tool.RunAsync("journal", "show", project.Journal);
            Assert.Contains("supervisor.command", journal.Stdout, StringComparison.Ordinal);
            Assert.Contains("operator", journal.Stdout, StringComparison.Ordinal);

            var scaled = await Tool.RunAsync("scale", "worker=2", "-f", project.YamlPath);
            Assert.True(scaled.ExitCode == 0, scaled.ToString());
            await Tool.EventuallyAsync(() => project.Sleepers().Count == 3, "a second worker runs", Generous);
            var table = await Tool.RunAsync("status", "-f", project.YamlPath);
            Assert.Contains("worker#1", table.Stdout, StringComparison.Ordinal);

            var before = project.Sleepers().Order().ToList();
            File.WriteAllText(project.YamlPath, "services:\n  web:\n    comand: [x]\n");
            var reload = await Tool.RunAsync("reload", "-f", project.YamlPath);
            Assert.Equal(1, reload.ExitCode);
            Assert.Matches(@"^tether: reload: \S*tether\.yaml:\d+:\d+: ", reload.SingleErrorLine());
            Assert.Equal(before, project.Sleepers().Order().ToList());

            var down = await Tool.RunAsync("down", "-f", project.YamlPath);
            Assert.True(down.ExitCode == 0, down.ToString());
            Assert.Empty(project.Sleepers());
            var after = await Tool.RunAsync("status", "-f", project.YamlPath);
            Assert.Equal(1, after.ExitCode);
            Assert.Contains("no supervisor runs here", after.SingleErrorLine(), StringComparison.Ordinal);
        }
        finally
        {
            await Tool.RunAsync("down", "--force", "-f", project.Directory);
        }
    }

    [RootFact]
    public async Task As_pid_1_it_reaps_orphaned_zombies_and_stops_cleanly_on_sigterm()
    {
        // The shell's subshell exits at once, leaving its short sleeper to PID 1 — tether — which must reap it.
        using var project = new StackProject("""
            services:
              orphaner:
                shell: "cat /proc/self/cgroup; ($DIR/sleeper 0.2 &); exec $DIR/sleeper 1000"
            """);
        var info = new ProcessStartInfo("unshare") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var arg in new[] { "--pid", "--fork", "--mount-proc", Tool.Executable, "up", "-f", project.YamlPath })
        {
            info.ArgumentList.Add(arg);
        }

        using var unshare = Process.Start(info)!;
        var output = Collect(unshare);
        try
        {
            int? tether = null;
            await Tool.EventuallyAsync(() => (tether = StackProject.Children(unshare.Id).FirstOrDefault()) is > 0, "unshare started tether", Generous);
            await Tool.EventuallyAsync(() => project.Sleepers().Count == 1, $"the short sleeper ended and the service runs ({output})", Generous);
            await Tool.EventuallyAsync(() => StackProject.ZombieChildren(tether!.Value).Count == 0, "no zombie is left under tether", Generous);

            Processes.Signal(tether!.Value, 15);
            await unshare.WaitForExitAsync().WaitAsync(Tool.Hang);

            Assert.True(unshare.ExitCode == 0, $"exit {unshare.ExitCode}\n{output}");
            Assert.Empty(project.Sleepers());

            // Its warden dies with the namespace, so tether itself removes the service's cgroup at a clean exit.
            var cgroup = Regex.Match(output.ToString(), @"0::(/\S*tether-1/run-\d+)").Groups[1].Value;
            Assert.True(cgroup.Length > 0, output.ToString());
            Assert.False(Directory.Exists(Tether.Containment.Probe().CgroupMountPoint!.TrimEnd('/') + cgroup), $"{cgroup} is left behind");
        }
        finally
        {
            if (!unshare.HasExited)
            {
                unshare.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task With_notify_it_sends_ready_once_every_service_is_ready()
    {
        using var project = new StackProject("""
            services:
              web:
                command: [$DIR/sleeper, "1000"]
            """);
        var notifyPath = Path.Combine(project.Directory, "notify.sock");
        using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notify.Bind(new UnixDomainSocketEndPoint(notifyPath));
        var info = new ProcessStartInfo(Tool.Executable) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var arg in new[] { "up", "--notify", "-f", project.YamlPath })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["NOTIFY_SOCKET"] = notifyPath;
        using var up = Process.Start(info)!;
        var output = Collect(up);
        try
        {
            var received = new StringBuilder();
            var buffer = new byte[4096];
            using var deadline = new CancellationTokenSource(Generous);
            while (!received.ToString().Contains("READY=1", StringComparison.Ordinal))
            {
                var read = await notify.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
                received.Append(Encoding.UTF8.GetString(buffer, 0, read)).Append('\n');
            }

            Assert.Single(project.Sleepers());
            Processes.Signal(up.Id, 15);
            await up.WaitForExitAsync().WaitAsync(Tool.Hang);
            Assert.True(up.ExitCode == 0, $"exit {up.ExitCode}\n{output}");
        }
        finally
        {
            if (!up.HasExited)
            {
                up.Kill(entireProcessTree: true);
            }
        }
    }

    /// <summary>Everything the child prints, gathered as it comes (so its pipes never fill).</summary>
    private static StringBuilder Collect(Process process)
    {
        var text = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (text) { text.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (text) { text.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return text;
    }

    private static async Task<int?> PidAsync(StackProject project, string service)
    {
        var status = await Tool.RunAsync("status", "--json", "-f", project.YamlPath);
        Assert.True(status.ExitCode == 0, status.ToString());
        foreach (var instance in status.Json().GetProperty("instances").EnumerateArray())
        {
            if (instance.GetProperty("service").GetString() == service && instance.GetProperty("state").GetString() == "ready")
            {
                return instance.GetProperty("pid").GetInt32();
            }
        }

        return null;
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        var start = TimeProvider.System.GetTimestamp();
        while (!await condition())
        {
            Assert.True(TimeProvider.System.GetElapsedTime(start) < Generous, $"Timed out waiting until {what}.");
            await Task.Delay(100);
        }
    }
}
