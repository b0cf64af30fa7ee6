using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Tether.Supervisor.Probes;
using Tether.Supervisor.Reaping;
using Tether.Supervisor.Running;
using Tether.Watch;
using static Tether.Supervisor.Tests.Runtime.SupervisedProject;

namespace Tether.Supervisor.Tests.Runtime;

/// <summary>Probes on real processes and sockets: exec, http and tcp checks, log patterns and heartbeats.</summary>
public sealed class RuntimeProbeSpecs
{
    private static readonly ServiceDefinition Web = Shell("web", "exec sleep 300");

    [Fact]
    public async Task An_exec_probe_that_hangs_fails_at_its_timeout_and_its_tree_is_killed()
    {
        using var probes = new ProbeRunner(ProcessRunner.Default, TimeProvider.System, Path.GetTempPath(), OrphanReaper.ForThisProcess());
        var marker = "tether-hang-" + Guid.NewGuid().ToString("N");
        var probe = new ProbeDefinition { Kind = ProbeKind.Exec, Command = ["/bin/sh", "-c", $"exec sleep 300 # {marker}"], Timeout = TimeSpan.FromMilliseconds(300) };

        var clock = Stopwatch.StartNew();
        var (passed, detail) = await probes.CheckAsync(probe, Run(Web)).Soon();

        Assert.False(passed);
        Assert.Equal("no answer within 300ms (the check was killed)", detail);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"the check took {clock.Elapsed}");
        Assert.DoesNotContain(Directory.EnumerateDirectories("/proc"), dir => File.Exists(dir + "/cmdline") && ReadCmdline(dir).Contains(marker, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_exec_probe_passes_on_exit_0_and_fails_with_the_exit_code_and_its_last_line()
    {
        using var probes = new ProbeRunner(ProcessRunner.Default, TimeProvider.System, Path.GetTempPath(), OrphanReaper.ForThisProcess());

        // What is checked is the verdict and its detail, not speed: the default 1 s timeout was once too short for a
        // shell on a loaded two-core CI machine ("no answer within 1s"), so these checks get a generous one.
        var timeout = TimeSpan.FromSeconds(30);
        Assert.Equal((true, "exit 0"), await probes.CheckAsync(new ProbeDefinition { Kind = ProbeKind.Exec, Command = ["/bin/sh", "-c", "test \"$TETHER_SERVICE\" = web"], Timeout = timeout }, Run(Web)));
        Assert.Equal((false, "exit 2: not yet"), await probes.CheckAsync(new ProbeDefinition { Kind = ProbeKind.Exec, Command = ["/bin/sh", "-c", "echo not yet >&2; exit 2"], Timeout = timeout }, Run(Web)));
    }

    [Fact]
    public async Task An_http_probe_passes_on_2xx_fails_otherwise_and_never_repeats_the_urls_credentials()
    {
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        var port = ((IPEndPoint)server.LocalEndpoint).Port;
        var answers = new Queue<string>(["200 OK", "503 Service Unavailable"]);
        var serving = Task.Run(async () =>
        {
            while (answers.Count > 0)
            {
                using var client = await server.AcceptTcpClientAsync();
                var stream = client.GetStream();
                var buffer = new byte[4096];
                _ = await stream.ReadAsync(buffer);
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {answers.Dequeue()}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
            }
        });

        using var probes = new ProbeRunner(ProcessRunner.Default, TimeProvider.System, Path.GetTempPath(), OrphanReaper.ForThisProcess());
        var probe = new ProbeDefinition { Kind = ProbeKind.Http, Url = new Uri($"http://admin:topsecret@127.0.0.1:{port}/health"), Timeout = TimeSpan.FromSeconds(10) };
        Assert.Equal((true, "HTTP 200"), await probes.CheckAsync(probe, Run(Web)).Soon());
        Assert.Equal((false, "HTTP 503"), await probes.CheckAsync(probe, Run(Web)).Soon());
        await serving.Soon();

        server.Stop();
        var (passed, detail) = await probes.CheckAsync(probe, Run(Web)).Soon();
        Assert.False(passed);
        Assert.DoesNotContain("topsecret", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tcp_probe_passes_when_the_port_accepts_and_fails_when_it_refuses()
    {
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        var port = ((IPEndPoint)server.LocalEndpoint).Port;
        using var probes = new ProbeRunner(ProcessRunner.Default, TimeProvider.System, Path.GetTempPath(), OrphanReaper.ForThisProcess());
        var probe = new ProbeDefinition { Kind = ProbeKind.Tcp, Port = port, Timeout = TimeSpan.FromSeconds(10) };

        Assert.Equal((true, $"connected to 127.0.0.1:{port}"), await probes.CheckAsync(probe, Run(Web)).Soon());
        server.Stop();
        Assert.Equal((false, $"cannot connect to 127.0.0.1:{port}: connection refused"), await probes.CheckAsync(probe, Run(Web)).Soon());
    }

    [Fact]
    public async Task A_log_probe_makes_the_service_ready_when_a_line_matches_and_dependents_start_then()
    {
        await using var project = await StartAsync(
            Shell("db", "sleep 0.3; echo 'database system is ready to accept connections'; exec sleep 300") with
            {
                Ready = new ProbeDefinition { Kind = ProbeKind.Log, Pattern = "ready to accept" },
            },
            Shell("app", "exec sleep 300") with { DependsOn = [new Dependency("db", DependencyCondition.Ready)] });

        await project.WaitForStateAsync("app", ServiceState.Ready);
        var ready = project.Decisions.OfType<SupervisorDecision.HealthChanged>().Single(h => h.Instance.Service == "db");
        Assert.Equal(Health.Passing, ready.Health);
        Assert.Contains("ready to accept", ready.Detail, StringComparison.Ordinal);
        Assert.Equal(["db", "app"], project.All<SupervisorDecision.StartInstance>().Select(s => s.Instance.Service));
    }

    [Fact]
    public async Task A_heartbeat_stall_restarts_the_service_and_the_journal_says_why()
    {
        var beat = Convert.ToHexString(new Frame(BeatStatus.Ok, 424242, 1, 1, 0).ToBytes());
        var script = $$"""
            import os, socket, sys, time
            s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            frame = bytes.fromhex("{{beat}}")
            for _ in range(10):
                s.sendto(frame, os.environ["TETHER_WATCH_SOCKET"])
                time.sleep(0.1)
            print("going quiet", flush=True)
            time.sleep(300)
            """;
        var scriptPath = Path.Combine(Path.GetTempPath(), $"tether-beat-{Guid.NewGuid():N}.py");
        await File.WriteAllTextAsync(scriptPath, script);
        try
        {
            await using var project = await StartAsync(new ServiceDefinition
            {
                Name = "worker",
                Command = new ServiceCommand.Exec([File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3", scriptPath]),
                Live = new ProbeDefinition { Kind = ProbeKind.Heartbeat, Timeout = TimeSpan.FromMilliseconds(1500), InitialDelay = TimeSpan.FromSeconds(3) },
                Stop = new StopPolicy(Signal.Terminate, TimeSpan.FromSeconds(5)),
            });

            await project.WaitUntilAsync(() => project.Starts("worker") >= 2, "the stalled worker was restarted");
            var failing = project.Decisions.OfType<SupervisorDecision.HealthChanged>().First(h => h.Health == Health.Failing);
            Assert.Equal(ProbeRole.Liveness, failing.Role);
            Assert.Contains("no heartbeat for 1.5s", failing.Detail, StringComparison.Ordinal);
            Assert.Contains(project.Decisions, d => d is SupervisorDecision.StopInstance { Cause: StopCause.LivenessFailed });
            Assert.True(project.Decisions.OfType<SupervisorDecision.HealthChanged>().First().Health == Health.Passing, "the first beats passed the probe");
            Assert.Equal(0, await project.ShutdownAsync());

            var journal = await project.JournalAsync();
            Assert.Contains(journal, r => r.Type == "service.stop" && r.Data!.Value.GetProperty("cause").GetString() == "liveness_failed");
            Assert.Contains(journal, r => r.Type == "service.health" && r.Data!.Value.GetProperty("detail").GetString()!.Contains("no heartbeat", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(scriptPath);
        }
    }

    private static InstanceRun Run(ServiceDefinition service) => new(new SupervisorDecision.StartInstance(TimeSpan.Zero, new InstanceId(service.Name, 0), 1, service));

    private static string ReadCmdline(string directory)
    {
        try
        {
            return File.ReadAllText(directory + "/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }
}
