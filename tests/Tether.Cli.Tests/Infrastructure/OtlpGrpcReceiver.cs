using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Tether.Cli.Tests.Infrastructure;

/// <summary>
/// A minimal OTLP/gRPC collector on the loopback address: Kestrel speaking HTTP/2 without TLS (h2c, as a collector's
/// <c>:4317</c> does on a local network), taking each unary call's request frames apart by hand — a gRPC message is a
/// compressed flag byte, a 4-byte big-endian length, then the protobuf — and answering with an empty response message
/// and <c>grpc-status: 0</c> in the trailers. The messages are kept by method path
/// (<see cref="Traces"/>, <see cref="Metrics"/>, <see cref="Logs"/>) for the spec to decode with <see cref="ProtoField"/>.
/// </summary>
internal sealed class OtlpGrpcReceiver : IAsyncDisposable
{
    public const string Traces = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
    public const string Metrics = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";
    public const string Logs = "/opentelemetry.proto.collector.logs.v1.LogsService/Export";

    private readonly WebApplication _app;

    private OtlpGrpcReceiver(WebApplication app) => _app = app;

    public string Url { get; private set; } = "";

    /// <summary>Every request message received, by method path, in arrival order.</summary>
    public ConcurrentDictionary<string, ConcurrentQueue<byte[]>> Messages { get; } = new(StringComparer.Ordinal);

    /// <summary>What was wrong with a call that was not a well-formed gRPC request (HTTP version, content type, framing).</summary>
    public ConcurrentQueue<string> Refusals { get; } = new();

    public IReadOnlyList<byte[]> Received(string path) => Messages.TryGetValue(path, out var messages) ? [.. messages] : [];

    public static async Task<OtlpGrpcReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        var app = builder.Build();
        var receiver = new OtlpGrpcReceiver(app);
        app.Run(receiver.AnswerAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        receiver.Url = address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal);
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task AnswerAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.Protocol != "HTTP/2" || request.Method != "POST" || request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) != true)
        {
            Refusals.Enqueue($"{request.Method} {request.Path} over {request.Protocol} as {request.ContentType}");
            context.Response.StatusCode = 415;
            return;
        }

        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body);
        var bytes = body.ToArray();
        for (var offset = 0; offset < bytes.Length;)
        {
            if (bytes.Length - offset < 5 || bytes[offset] != 0)
            {
                Refusals.Enqueue($"{request.Path}: a frame header that is cut short or flags compression ({bytes.Length - offset} bytes left)");
                break;
            }

            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(offset + 1, 4));
            if (bytes.Length - offset - 5 < length)
            {
                Refusals.Enqueue($"{request.Path}: a {length}-byte message with {bytes.Length - offset - 5} bytes left");
                break;
            }

            Messages.GetOrAdd(request.Path.Value!, _ => new ConcurrentQueue<byte[]>()).Enqueue(bytes.AsSpan(offset + 5, length).ToArray());
            offset += 5 + length;
        }

        // An empty Export…ServiceResponse (no partial_success): one frame of length 0; the status goes in the trailers.
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/grpc";
        await context.Response.Body.WriteAsync(new byte[5]);
        context.Response.AppendTrailer("grpc-status", "0");
    }
}
