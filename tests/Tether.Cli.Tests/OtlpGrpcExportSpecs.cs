using System.Diagnostics;
using System.Text;
using Google.Protobuf;
using Tether.Cli.Tests.Infrastructure;

namespace Tether.Cli.Tests;

/// <summary>
/// `--otlp` with <c>OTEL_EXPORTER_OTLP_PROTOCOL=grpc</c>: what `tether run`, `tether up` and `tether watch` send an
/// OTLP/gRPC collector (HTTP/2 without TLS, the collector's usual <c>:4317</c>), decoded from the wire.
/// </summary>
public sealed class OtlpGrpcExportSpecs : IDisposable
{
    private static readonly string[] Secrets = ["env-secret-81", "flag-secret-82", "url-secret-83", "token-secret-84"];

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_run_exported_over_grpc_arrives_as_a_span_metrics_and_logs_with_the_service_name_and_no_secret_anywhere()
    {
        // Arrange
        await using var collector = await OtlpGrpcReceiver.StartAsync();
        string[] args =
        [
            "run", "--otlp", collector.Url, "--env", "DB_PASSWORD=env-secret-81", "--",
            "/bin/sh", "-c", "exit 4", "sh", "--password", "flag-secret-82", "https://user:url-secret-83@db.example.test/", "--token=token-secret-84",
        ];

        // Act
        var result = await Tool.RunChildAsync(args, Grpc(serviceName: "tether-grpc-spec"));

        // Assert
        Assert.True(result.ExitCode == 4, result.ToString());
        Assert.Empty(collector.Refusals);
        var request = ByteString.CopyFrom(Assert.Single(collector.Received(OtlpGrpcReceiver.Traces)));
        var resourceSpans = Assert.Single(ProtoField.Messages(request, 1));
        var resource = Assert.Single(ProtoField.Messages(resourceSpans, 1));
        Assert.Equal("tether-grpc-spec", ProtoField.Attributes(resource, 1)["service.name"]);
        var run = Assert.Single(Spans(collector), s => ProtoField.Text(s, 5) == "tether.run");
        var attributes = ProtoField.Attributes(run, 9);
        Assert.Equal("sh", attributes["process.executable.name"]);
        Assert.Equal(4L, attributes["process.exit.code"]);
        Assert.Equal("exited", attributes["tether.run.outcome"]);
        Assert.IsType<long>(attributes["process.pid"]);

        var metrics = MetricNames(collector);
        Assert.Contains("tether.process.spawns", metrics);
        Assert.Contains("tether.run.duration", metrics);
        var logs = collector.Received(OtlpGrpcReceiver.Logs).Select(Encoding.UTF8.GetString).ToList();
        Assert.Contains(logs, body => body.Contains("tether run exited with", StringComparison.Ordinal) || body.Contains("VerbExited", StringComparison.Ordinal));
        Assert.Contains(logs, body => body.Contains("tether.run", StringComparison.Ordinal));

        AssertNoSecret(collector, Secrets);
    }

    [Fact]
    public async Task A_supervised_start_exported_over_grpc_arrives_as_a_span_per_service_without_the_service_s_environment()
    {
        // Arrange
        await using var collector = await OtlpGrpcReceiver.StartAsync();
        using var project = new Up.StackProject("""
            services:
              api:
                command: [$DIR/sleeper, "1000"]
                env: {API_TOKEN: env-secret-81}
            """);

        // Act
        using var up = StartWithGrpc("up", "--otlp", collector.Url, "-f", project.YamlPath);
        try
        {
            await Tool.EventuallyAsync(() => project.Sleepers().Count == 1, "the service runs", TimeSpan.FromSeconds(30));
            Processes.Signal(up.Id, Processes.SigTerm);
            await up.WaitForExitAsync().WaitAsync(Tool.Hang);
        }
        finally
        {
            if (!up.HasExited)
            {
                up.Kill(entireProcessTree: true);
            }
        }

        // Assert
        Assert.Equal(0, up.ExitCode);
        Assert.Empty(collector.Refusals);
        var start = Assert.Single(Spans(collector), s => ProtoField.Text(s, 5) == "tether.supervisor.start");
        Assert.Equal("api", ProtoField.Attributes(start, 9)["tether.service.name"]);
        Assert.NotEmpty(collector.Received(OtlpGrpcReceiver.Metrics));
        AssertNoSecret(collector, ["env-secret-81"]);
    }

    [Fact]
    public async Task A_watcher_exported_over_grpc_counts_the_beat_and_the_stall()
    {
        // Arrange
        await using var collector = await OtlpGrpcReceiver.StartAsync();
        var socket = _temp.Child("watch.sock");

        // Act
        using var watcher = StartWithGrpc("watch", "--otlp", collector.Url, "--socket", socket, "--threshold", "300ms", "--json");
        var output = new StringBuilder();
        watcher.OutputDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }
        };
        watcher.BeginOutputReadLine();
        watcher.BeginErrorReadLine();
        try
        {
            await Tool.EventuallyAsync(() => File.Exists(socket), "the watcher created its socket");
            var beat = await Tool.RunAsync("beat", "--socket", socket, "--count", "1");
            Assert.True(beat.ExitCode == 0, beat.ToString());
            await Tool.EventuallyAsync(() => Text(output).Contains("stall_detected", StringComparison.Ordinal), "the watcher reported the stall");
            Processes.Signal(watcher.Id, Processes.SigTerm);
            await watcher.WaitForExitAsync().WaitAsync(Tool.Hang);
        }
        finally
        {
            if (!watcher.HasExited)
            {
                watcher.Kill(entireProcessTree: true);
            }
        }

        // Assert
        Assert.Equal(0, watcher.ExitCode);
        Assert.Empty(collector.Refusals);
        var metrics = MetricNames(collector);
        Assert.Contains("tether.watch.beats", metrics);
        Assert.Contains("tether.watch.stalls", metrics);
        var resource = ProtoField.Messages(ByteString.CopyFrom(collector.Received(OtlpGrpcReceiver.Metrics)[0]), 1).Select(rm => ProtoField.Messages(rm, 1).Single()).First();
        Assert.Equal("tether", ProtoField.Attributes(resource, 1)["service.name"]);
    }

    /// <summary>The tool's environment for a gRPC export; nothing of the test host's own OTEL_* settings leaks in.</summary>
    private static Dictionary<string, string?> Grpc(string? serviceName = null) => new()
    {
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc",
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = null,
        ["OTEL_EXPORTER_OTLP_HEADERS"] = null,
        ["OTEL_SERVICE_NAME"] = serviceName,
    };

    /// <summary>Starts the built tool with the gRPC environment, its output redirected, for a spec that signals it.</summary>
    private static Process StartWithGrpc(params string[] args)
    {
        var info = new ProcessStartInfo(Tool.Executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in Grpc())
        {
            if (value is null)
            {
                info.Environment.Remove(key);
            }
            else
            {
                info.Environment[key] = value;
            }
        }

        var process = Process.Start(info)!;
        process.StandardInput.Close();
        return process;
    }

    private static List<ByteString> Spans(OtlpGrpcReceiver collector) =>
    [
        .. collector.Received(OtlpGrpcReceiver.Traces)
            .SelectMany(message => ProtoField.Messages(ByteString.CopyFrom(message), 1))
            .SelectMany(resourceSpans => ProtoField.Messages(resourceSpans, 2))
            .SelectMany(scope => ProtoField.Messages(scope, 2)),
    ];

    private static List<string?> MetricNames(OtlpGrpcReceiver collector) =>
    [
        .. collector.Received(OtlpGrpcReceiver.Metrics)
            .SelectMany(message => ProtoField.Messages(ByteString.CopyFrom(message), 1))
            .SelectMany(resourceMetrics => ProtoField.Messages(resourceMetrics, 2))
            .SelectMany(scope => ProtoField.Messages(scope, 2))
            .Select(metric => ProtoField.Text(metric, 1)),
    ];

    private static void AssertNoSecret(OtlpGrpcReceiver collector, string[] secrets)
    {
        var everything = collector.Messages.Values.SelectMany(q => q).Select(Encoding.UTF8.GetString).ToList();
        Assert.NotEmpty(everything);
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(everything, message => message.Contains(secret, StringComparison.Ordinal));
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
