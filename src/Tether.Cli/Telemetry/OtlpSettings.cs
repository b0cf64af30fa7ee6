namespace Tether.Cli.Telemetry;

/// <summary>Where and how to export: the collector's base URL, the protocol, and the service name the data carries.</summary>
/// <param name="Endpoint">The collector's base URL (for OTLP/HTTP, the signal paths <c>/v1/traces</c>, … are added to it).</param>
/// <param name="Grpc">True for OTLP/gRPC, false for OTLP/HTTP with protobuf bodies.</param>
/// <param name="ServiceName">The resource's <c>service.name</c>.</param>
internal sealed record OtlpSettings(Uri Endpoint, bool Grpc, string ServiceName)
{
    /// <summary>The service name when <c>OTEL_SERVICE_NAME</c> is not set.</summary>
    public const string DefaultServiceName = "tether";

    /// <summary>
    /// The settings from <c>--otlp</c> (or, without it, <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>) and the standard
    /// variables; null when neither names an endpoint (no export).
    /// </summary>
    /// <exception cref="UsageException">The URL is not an absolute http or https URL, or the protocol is unknown.</exception>
    public static OtlpSettings? From(string? option, Func<string, string?> environment)
    {
        var fromOption = !string.IsNullOrWhiteSpace(option);
        var endpoint = fromOption ? option : environment("OTEL_EXPORTER_OTLP_ENDPOINT");
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            return null;
        }

        var source = fromOption ? "--otlp" : "OTEL_EXPORTER_OTLP_ENDPOINT";
        if (!Uri.TryCreate(endpoint.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            // The value is not echoed: a collector URL may carry credentials.
            throw new UsageException($"{source} needs an absolute http:// or https:// URL of an OTLP collector, such as http://localhost:4318.");
        }

        var protocol = environment("OTEL_EXPORTER_OTLP_PROTOCOL")?.Trim();
        var grpc = protocol switch
        {
            null or "" or "http/protobuf" => false,
            "grpc" => true,
            _ => throw new UsageException($"OTEL_EXPORTER_OTLP_PROTOCOL '{protocol}' is not supported; use http/protobuf (the default) or grpc."),
        };

        var serviceName = environment("OTEL_SERVICE_NAME")?.Trim();
        return new OtlpSettings(uri, grpc, string.IsNullOrEmpty(serviceName) ? DefaultServiceName : serviceName);
    }

    /// <summary>The URL one signal is sent to: the base itself over gRPC, the base plus the signal's path over HTTP.</summary>
    public Uri SignalEndpoint(string signalPath) =>
        Grpc ? Endpoint : new Uri(Endpoint.AbsoluteUri.TrimEnd('/') + "/" + signalPath);
}
