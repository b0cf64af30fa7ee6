using Tether.Cli.Telemetry;

namespace Tether.Cli.Tests;

/// <summary>Where `--otlp` and the OTEL_* variables send telemetry, and over which protocol.</summary>
public sealed class OtlpSettingsSpecs
{
    [Fact]
    public void Without_the_option_or_the_endpoint_variable_nothing_is_exported()
    {
        Assert.Null(OtlpSettings.From(null, Environment(("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"))));
        Assert.Null(OtlpSettings.From("  ", Environment(("OTEL_EXPORTER_OTLP_ENDPOINT", ""))));
    }

    [Fact]
    public void Over_http_each_signal_goes_to_its_path_under_the_base_url()
    {
        var settings = OtlpSettings.From("http://collector:4318/", Environment())!;

        Assert.False(settings.Grpc);
        Assert.Equal("tether", settings.ServiceName);
        Assert.Equal(new Uri("http://collector:4318/v1/traces"), settings.SignalEndpoint("v1/traces"));
        Assert.Equal(new Uri("http://collector:4318/v1/logs"), OtlpSettings.From("http://collector:4318", Environment())!.SignalEndpoint("v1/logs"));
    }

    [Theory]
    [InlineData("grpc")]
    [InlineData(" grpc ")]
    public void Over_grpc_every_signal_goes_to_the_url_as_given(string protocol)
    {
        var settings = OtlpSettings.From(null, Environment(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317"), ("OTEL_EXPORTER_OTLP_PROTOCOL", protocol), ("OTEL_SERVICE_NAME", "nightly")))!;

        Assert.True(settings.Grpc);
        Assert.Equal("nightly", settings.ServiceName);
        Assert.Equal(new Uri("http://collector:4317"), settings.SignalEndpoint("v1/traces"));
        Assert.Equal(new Uri("http://collector:4317"), settings.SignalEndpoint("v1/metrics"));
    }

    [Fact]
    public void The_option_wins_over_the_endpoint_variable()
    {
        var settings = OtlpSettings.From("https://near:4317", Environment(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://far:4317"), ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")))!;

        Assert.Equal(new Uri("https://near:4317"), settings.Endpoint);
        Assert.False(settings.Grpc);
    }

    [Theory]
    [InlineData("http/json")]
    [InlineData("GRPC")]
    public void An_unknown_protocol_is_a_usage_error_that_names_the_two_it_takes(string protocol)
    {
        var error = Assert.Throws<UsageException>(() => OtlpSettings.From("http://collector:4317", Environment(("OTEL_EXPORTER_OTLP_PROTOCOL", protocol))));

        Assert.Equal($"OTEL_EXPORTER_OTLP_PROTOCOL '{protocol}' is not supported; use http/protobuf (the default) or grpc.", error.Message);
    }

    [Fact]
    public void An_endpoint_variable_that_is_not_http_is_a_usage_error_that_does_not_echo_it()
    {
        var error = Assert.Throws<UsageException>(() => OtlpSettings.From(null, Environment(("OTEL_EXPORTER_OTLP_ENDPOINT", "grpc://user:pw-96@collector:4317"))));

        Assert.StartsWith("OTEL_EXPORTER_OTLP_ENDPOINT needs an absolute http:// or https:// URL", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("pw-96", error.Message, StringComparison.Ordinal);
    }

    private static Func<string, string?> Environment(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;
}
