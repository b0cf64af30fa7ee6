using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Google.Protobuf;

namespace Tether.Cli.Tests.Infrastructure;

/// <summary>
/// A minimal OTLP/HTTP collector on the loopback address: it answers every POST with 200 and keeps each body by
/// path (<c>/v1/traces</c>, <c>/v1/metrics</c>, <c>/v1/logs</c>) for the spec to decode.
/// </summary>
internal sealed class OtlpReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _serving;

    public OtlpReceiver()
    {
        Port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>Every body received, by request path, in arrival order.</summary>
    public ConcurrentDictionary<string, ConcurrentQueue<byte[]>> Bodies { get; } = new(StringComparer.Ordinal);

    public IReadOnlyList<byte[]> Received(string path) => Bodies.TryGetValue(path, out var bodies) ? [.. bodies] : [];

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            _serving.Wait(TimeSpan.FromSeconds(10));
        }
        catch (AggregateException)
        {
            // The listener was closed under a pending accept: that is how serving ends.
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            Bodies.GetOrAdd(context.Request.Url!.AbsolutePath, _ => new ConcurrentQueue<byte[]>()).Enqueue(body.ToArray());
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.Close();
        }
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}

/// <summary>
/// Reads protobuf messages without their schema: a message is a list of fields (number, and either a varint or the
/// bytes of a length-delimited value). Enough to walk OTLP's requests by field number.
/// </summary>
internal sealed record ProtoField(int Number, ulong Varint, ByteString? Bytes)
{
    public static IReadOnlyList<ProtoField> Parse(ByteString message)
    {
        var fields = new List<ProtoField>();
        var input = new CodedInputStream(message.ToByteArray());
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            var number = WireFormat.GetTagFieldNumber(tag);
            switch (WireFormat.GetTagWireType(tag))
            {
                case WireFormat.WireType.Varint:
                    fields.Add(new ProtoField(number, input.ReadUInt64(), null));
                    break;
                case WireFormat.WireType.LengthDelimited:
                    fields.Add(new ProtoField(number, 0, input.ReadBytes()));
                    break;
                case WireFormat.WireType.Fixed64:
                    fields.Add(new ProtoField(number, input.ReadFixed64(), null));
                    break;
                case WireFormat.WireType.Fixed32:
                    fields.Add(new ProtoField(number, input.ReadFixed32(), null));
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        return fields;
    }

    public static IEnumerable<ByteString> Messages(ByteString message, int number) =>
        Parse(message).Where(f => f.Number == number && f.Bytes is not null).Select(f => f.Bytes!);

    public static string? Text(ByteString message, int number) =>
        Parse(message).FirstOrDefault(f => f.Number == number && f.Bytes is not null)?.Bytes!.ToStringUtf8();

    /// <summary>OTLP <c>KeyValue</c> attributes (field <paramref name="number"/>) as key → string or integer value.</summary>
    public static Dictionary<string, object?> Attributes(ByteString message, int number)
    {
        var attributes = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var keyValue in Messages(message, number))
        {
            var key = Text(keyValue, 1)!;
            var value = Messages(keyValue, 2).FirstOrDefault();
            object? decoded = null;
            if (value is not null)
            {
                var field = Parse(value).FirstOrDefault();
                decoded = field switch
                {
                    { Number: 1, Bytes: { } text } => text.ToStringUtf8(),
                    { Number: 3 } => (long)field.Varint,
                    { Number: 2 } => field.Varint != 0,
                    _ => null,
                };
            }

            attributes[key] = decoded;
        }

        return attributes;
    }
}
