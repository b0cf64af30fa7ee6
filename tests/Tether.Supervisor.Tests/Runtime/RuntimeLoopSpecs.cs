using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using static Tether.Supervisor.Tests.Runtime.SupervisedProject;

namespace Tether.Supervisor.Tests.Runtime;

/// <summary>The supervisor's loop: it waits on its clock for the engine's deadlines, and tells systemd when all are ready.</summary>
public sealed class RuntimeLoopSpecs
{
    [Fact]
    public async Task A_restart_backoff_is_waited_on_the_supervisors_clock_not_on_a_polling_tick()
    {
        var clock = new FakeTimeProvider();
        await using var project = await StartAsync(options => options with { TimeProvider = clock }, Shell("crasher", "exit 1") with
        {
            Backoff = new RestartBackoff(TimeSpan.FromSeconds(10), 1, TimeSpan.FromSeconds(10), 0, TimeSpan.FromMinutes(1)),
        });

        await project.WaitUntilAsync(() => project.All<SupervisorDecision.RestartScheduled>().Any(), "the restart is scheduled");
        Assert.Equal(TimeSpan.FromSeconds(10), project.All<SupervisorDecision.RestartScheduled>().Single().Delay);

        clock.Advance(TimeSpan.FromSeconds(9));
        await Task.Delay(300); // real time passes; the virtual clock does not reach the deadline
        Assert.Equal(1, project.Starts("crasher"));
        Assert.Equal(ServiceState.Restarting, project.Status("crasher").State);

        clock.Advance(TimeSpan.FromSeconds(1));
        await project.WaitUntilAsync(() => project.Starts("crasher") == 2, "the restart happens once the clock reaches the backoff");
        var restart = project.All<SupervisorDecision.StartInstance>().Last();
        Assert.Equal(TimeSpan.FromSeconds(10), restart.At);
    }

    [Fact]
    public async Task With_notify_READY_1_reaches_NOTIFY_SOCKET_once_every_service_is_ready()
    {
        var directory = Directory.CreateTempSubdirectory("tether-notify-").FullName;
        var path = Path.Combine(directory, "notify.sock");
        using var systemd = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        systemd.Bind(new UnixDomainSocketEndPoint(path));
        Environment.SetEnvironmentVariable("NOTIFY_SOCKET", path);
        try
        {
            await using var project = await StartAsync(options => options with { Notify = true },
                Shell("db", "sleep 0.2; echo up; exec sleep 300") with { Ready = new ProbeDefinition { Kind = ProbeKind.Log, Pattern = "^up$" } });

            var buffer = new byte[4096];
            using var timeout = new CancellationTokenSource(Bounds.Eventually);
            var received = await systemd.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            var message = Encoding.UTF8.GetString(buffer, 0, received);

            Assert.StartsWith("READY=1", message, StringComparison.Ordinal);
            Assert.Equal(ServiceState.Ready, project.Status("db").State);
        }
        finally
        {
            Environment.SetEnvironmentVariable("NOTIFY_SOCKET", null);
            Directory.Delete(directory, recursive: true);
        }
    }
}
