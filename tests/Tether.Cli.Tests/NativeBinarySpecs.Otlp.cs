using Google.Protobuf;
using Tether.Cli.Tests.Infrastructure;

namespace Tether.Cli.Tests;

/// <summary>
/// `--otlp` from the native binary: the OpenTelemetry SDK and its OTLP exporter, trimmed and compiled ahead of time,
/// still deliver a run's span over both protocols (the publish itself must stay free of trimming and AOT warnings).
/// </summary>
public sealed partial class NativeBinarySpecs
{
    [Fact]
    public async Task A_native_run_exports_its_span_over_otlp_http_and_over_otlp_grpc()
    {
        // Arrange
        using var http = new OtlpReceiver();
        await using var grpc = await OtlpGrpcReceiver.StartAsync();
        string[] run = ["run", "--env", "DB_PASSWORD=env-secret-71", "--", "/bin/sh", "-c", "exit 6", "sh", "--password", "flag-secret-72"];

        // Act
        var overHttp = await Tool.RunProgramAsync(native.Path, ["run", "--otlp", http.Url, .. run[1..]], Otlp(protocol: null), _temp.Path);
        var overGrpc = await Tool.RunProgramAsync(native.Path, ["run", "--otlp", grpc.Url, .. run[1..]], Otlp(protocol: "grpc"), _temp.Path);

        // Assert
        Assert.True(overHttp.ExitCode == 6, overHttp.ToString());
        Assert.True(overGrpc.ExitCode == 6, overGrpc.ToString());
        Assert.Empty(grpc.Refusals);
        foreach (var (protocol, messages) in new[] { ("http", http.Received("/v1/traces")), ("grpc", grpc.Received(OtlpGrpcReceiver.Traces)) })
        {
            var resourceSpans = messages.SelectMany(message => ProtoField.Messages(ByteString.CopyFrom(message), 1)).ToList();
            Assert.Equal("native-" + protocol, ProtoField.Attributes(ProtoField.Messages(Assert.Single(resourceSpans), 1).Single(), 1)["service.name"]);
            var span = Assert.Single(
                resourceSpans.SelectMany(rs => ProtoField.Messages(rs, 2)).SelectMany(scope => ProtoField.Messages(scope, 2)),
                s => ProtoField.Text(s, 5) == "tether.run");
            Assert.Equal(6L, ProtoField.Attributes(span, 9)["process.exit.code"]);
            Assert.Equal("sh", ProtoField.Attributes(span, 9)["process.executable.name"]);
        }

        var everything = http.Bodies.Values.Concat(grpc.Messages.Values).SelectMany(q => q).Select(System.Text.Encoding.UTF8.GetString).ToList();
        Assert.NotEmpty(grpc.Received(OtlpGrpcReceiver.Metrics));
        Assert.NotEmpty(grpc.Received(OtlpGrpcReceiver.Logs));
        Assert.DoesNotContain(everything, body => body.Contains("env-secret-71", StringComparison.Ordinal) || body.Contains("flag-secret-72", StringComparison.Ordinal));
    }

    private static Dictionary<string, string?> Otlp(string? protocol) => new()
    {
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = protocol,
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = null,
        ["OTEL_SERVICE_NAME"] = "native-" + (protocol ?? "http"),
    };
}
