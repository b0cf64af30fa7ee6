using System.Text;
using Google.Protobuf;
using Tether.Cli.Tests.Infrastructure;

namespace Tether.Cli.Tests;

/// <summary>`--otlp`: what `tether run` sends an OTLP/HTTP collector, decoded from the wire.</summary>
public sealed class OtlpExportSpecs
{
    private static readonly string[] Secrets = ["env-secret-91", "flag-secret-92", "url-secret-93", "token-secret-94"];

    [Fact]
    public async Task A_run_shows_up_in_the_collector_as_a_span_with_the_service_name_and_no_secret_anywhere()
    {
        // Arrange
        using var collector = new OtlpReceiver();
        string[] args =
        [
            "run", "--otlp", collector.Url, "--env", "DB_PASSWORD=env-secret-91", "--",
            "/bin/sh", "-c", "exit 3", "sh", "--password", "flag-secret-92", "https://user:url-secret-93@db.example.test/", "--token=token-secret-94",
        ];

        // Act
        var result = await Tool.RunChildAsync(args, new Dictionary<string, string?> { ["OTEL_SERVICE_NAME"] = "tether-spec-16", ["OTEL_EXPORTER_OTLP_ENDPOINT"] = null });

        // Assert
        Assert.Equal(3, result.ExitCode);
        var traces = Assert.Single(collector.Received("/v1/traces"));
        var request = ByteString.CopyFrom(traces);
        var resourceSpans = Assert.Single(ProtoField.Messages(request, 1));
        var resource = Assert.Single(ProtoField.Messages(resourceSpans, 1));
        Assert.Equal("tether-spec-16", ProtoField.Attributes(resource, 1)["service.name"]);
        var spans = ProtoField.Messages(resourceSpans, 2).SelectMany(scope => ProtoField.Messages(scope, 2)).ToList();
        var run = Assert.Single(spans, s => ProtoField.Text(s, 5) == "tether.run");
        var attributes = ProtoField.Attributes(run, 9);
        Assert.Equal("sh", attributes["process.executable.name"]);
        Assert.Equal(3L, attributes["process.exit.code"]);
        Assert.Equal("exited", attributes["tether.run.outcome"]);
        Assert.IsType<long>(attributes["process.pid"]);
        Assert.NotEmpty(collector.Received("/v1/metrics"));
        Assert.NotEmpty(collector.Received("/v1/logs"));

        var everything = collector.Bodies.Values.SelectMany(q => q).Select(Encoding.UTF8.GetString).ToList();
        foreach (var secret in Secrets)
        {
            Assert.DoesNotContain(everything, body => body.Contains(secret, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_supervised_start_shows_up_as_a_span_per_service_and_no_environment_value_is_sent()
    {
        // Arrange
        using var collector = new OtlpReceiver();
        using var project = new Up.StackProject("""
            services:
              web:
                command: [$DIR/sleeper, "1000"]
                env: {DB_PASSWORD: env-secret-91}
            """);

        // Act
        using var up = Tool.StartChild(["up", "--otlp", collector.Url, "-f", project.YamlPath]);
        await Tool.EventuallyAsync(() => project.Sleepers().Count == 1, "the service runs", TimeSpan.FromSeconds(30));
        Processes.Signal(up.Id, 15);
        await up.WaitForExitAsync().WaitAsync(Tool.Hang);

        // Assert
        Assert.Equal(0, up.ExitCode);
        var spans = collector.Received("/v1/traces")
            .SelectMany(body => ProtoField.Messages(ByteString.CopyFrom(body), 1))
            .SelectMany(resourceSpans => ProtoField.Messages(resourceSpans, 2))
            .SelectMany(scope => ProtoField.Messages(scope, 2))
            .ToList();
        var start = Assert.Single(spans, s => ProtoField.Text(s, 5) == "tether.supervisor.start");
        Assert.Equal("web", ProtoField.Attributes(start, 9)["tether.service.name"]);
        var everything = collector.Bodies.Values.SelectMany(q => q).Select(Encoding.UTF8.GetString).ToList();
        Assert.DoesNotContain(everything, body => body.Contains("env-secret-91", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Metrics_count_the_spawn_and_logs_carry_the_run_s_end()
    {
        // Arrange
        using var collector = new OtlpReceiver();

        // Act
        var result = await Tool.RunChildAsync(["run", "--otlp", collector.Url + "/", "--", "/bin/true"], new Dictionary<string, string?> { ["OTEL_SERVICE_NAME"] = null });

        // Assert
        Assert.Equal(0, result.ExitCode);
        var metricNames = collector.Received("/v1/metrics")
            .SelectMany(body => ProtoField.Messages(ByteString.CopyFrom(body), 1))
            .SelectMany(rm => ProtoField.Messages(rm, 2))
            .SelectMany(sm => ProtoField.Messages(sm, 2))
            .Select(m => ProtoField.Text(m, 1))
            .ToList();
        Assert.Contains("tether.process.spawns", metricNames);
        Assert.Contains("tether.run.duration", metricNames);
        var logBodies = collector.Received("/v1/logs").Select(Encoding.UTF8.GetString).ToList();
        Assert.Contains(logBodies, body => body.Contains("tether run exited with", StringComparison.Ordinal) || body.Contains("VerbExited", StringComparison.Ordinal));
        var resource = ProtoField.Messages(ByteString.CopyFrom(collector.Received("/v1/traces")[0]), 1).Select(rs => ProtoField.Messages(rs, 1).Single()).First();
        Assert.Equal("tether", ProtoField.Attributes(resource, 1)["service.name"]);
    }

    [Fact]
    public async Task A_collector_url_that_is_not_http_is_a_usage_error_that_does_not_echo_it()
    {
        // Act
        var result = await Tool.RunAsync("run", "--otlp", "ftp://user:pw-95@host", "--", "/bin/true");

        // Assert
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--otlp needs an absolute http:// or https:// URL", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("pw-95", result.Stderr, StringComparison.Ordinal);
    }
}
