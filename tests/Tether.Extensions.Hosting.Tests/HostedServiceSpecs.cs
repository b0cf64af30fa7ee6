using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Tether.Supervisor;

namespace Tether.Extensions.Hosting.Tests;

public sealed class HostedServiceSpecs
{
    [Fact]
    public async Task A_supervised_service_runs_while_the_host_runs_and_its_tree_is_gone_when_the_host_stops()
    {
        // Arrange
        using var project = new TempDirectory();
        var logs = new FakeLogCollector();
        var spans = new List<Activity>();
        using var tracing = Sdk.CreateTracerProviderBuilder().AddTetherInstrumentation().AddInMemoryExporter(spans).Build();
        var services = new ServiceSet(project.Path,
        [
            new ServiceDefinition { Name = "db", Command = new ServiceCommand.Exec(["sleep", "600"]) },
            new ServiceDefinition { Name = "worker", Command = new ServiceCommand.Shell("sleep 600"), DependsOn = [new Dependency("db", DependencyCondition.Started)] },
        ]);
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders().AddProvider(new FakeLoggerProvider(logs));
        builder.Services.AddTetherSupervisor(services);
        using var host = builder.Build();

        // Act
        await host.StartAsync().Soon();
        var supervisor = host.Services.GetRequiredService<HostedSupervisor>();
        Assert.True(await Bounds.EventuallyAsync(() => supervisor.Control.Status().Instances.Count(i => i.Pid is not null && i.State is ServiceState.Ready) == 2));
        var pids = supervisor.Control.Status().Instances.Select(i => i.Pid!.Value).ToList();
        await host.StopAsync().Soon();

        // Assert
        Assert.Equal(0, await supervisor.Completion.Soon());
        Assert.All(pids, pid => Assert.False(Alive(pid), $"pid {pid} outlived the host"));
        var stopped = logs.GetSnapshot().Where(r => r.Id.Name == "ServiceStateChanged" && r.GetStructuredStateValue("To") == "Stopped").Select(r => r.GetStructuredStateValue("Service")).ToList();
        Assert.Equal(["worker", "db"], stopped); // dependents first
        Assert.Contains(logs.GetSnapshot(), r => r.Category == TetherLogCategories.Supervision && r.Id.Name == "SupervisorStopped");
        tracing.ForceFlush();
        Assert.Contains(TelemetrySpecs.Finished(tracing, spans), s => s.DisplayName == SupervisorTelemetry.StartSpan && Equals(s.GetTagItem("tether.service.name"), "worker") && Equals(s.GetTagItem("process.executable.name"), "sh"));
    }

    [Fact]
    public async Task A_hosted_journal_is_open_while_the_host_runs_and_closed_with_every_append_durable()
    {
        // Arrange
        using var directory = new TempDirectory();
        var logs = new FakeLogCollector();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders().AddProvider(new FakeLoggerProvider(logs));
        builder.Services.AddTetherJournal(directory.Path);
        using var host = builder.Build();
        var hosted = host.Services.GetRequiredService<HostedJournal>();

        // Act
        Assert.Throws<InvalidOperationException>(() => hosted.Journal);
        await host.StartAsync().Soon();
        var seq = await hosted.Journal.AppendAsync(new Journaling.JournalEntry("test.hosted"));
        await host.StopAsync().Soon();

        // Assert
        var closed = Assert.Single(logs.GetSnapshot(), r => r.Id.Name == "JournalClosed");
        Assert.Equal(TetherLogCategories.Journal, closed.Category);
        Assert.Equal("1", closed.GetStructuredStateValue("Appends"));
        var records = new List<Journaling.JournalRecord>();
        await foreach (var record in new Journaling.JournalReader(directory.Path).ReadAsync())
        {
            records.Add(record);
        }

        Assert.Contains(records, r => r.Type == "test.hosted" && r.Seq == seq);
    }

    [Fact]
    public async Task A_hosted_watcher_listens_while_the_host_runs_logs_a_stall_and_stops_with_the_host()
    {
        // Arrange
        var logs = new FakeLogCollector();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders().AddProvider(new FakeLoggerProvider(logs));
        builder.Services.AddTetherWatcher(_ => new Watch.WatcherOptions
        {
            Udp = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0),
            Engine = new Watch.WatchOptions { Threshold = TimeSpan.FromMilliseconds(300) },
            SystemdNotify = false,
        });
        using var host = builder.Build();
        var hosted = host.Services.GetRequiredService<HostedWatcher>();

        // Act
        Assert.Throws<InvalidOperationException>(() => hosted.Watcher);
        await host.StartAsync().Soon();
        var endpoint = Assert.Single(hosted.Watcher.Endpoints);
        var port = int.Parse(endpoint[(endpoint.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        using (var client = Watch.HeartbeatClient.ConnectUdp("127.0.0.1", port))
        {
            client.Beat(); // one beat, then silence past the threshold
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!logs.GetSnapshot().Any(r => r.Id.Name == "StallDetected") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        await host.StopAsync().Soon();

        // Assert
        var records = logs.GetSnapshot();
        var started = Assert.Single(records, r => r.Id.Name == "WatcherStarted");
        Assert.Equal(TetherLogCategories.Watch, started.Category);
        var stall = Assert.Single(records, r => r.Id.Name == "StallDetected");
        Assert.Equal(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), stall.GetStructuredStateValue("Pid"));
        Assert.Single(records, r => r.Id.Name == "WatcherStopped");
    }

    private static bool Alive(int pid) => File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);
}

/// <summary>A temporary directory removed with everything in it.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Path = Directory.CreateTempSubdirectory("tether-hosting-").FullName;

    public string Path { get; }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
