using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Tether.Supervisor;

/// <summary>
/// Writes the one response of a control connection: a JSON document with its length, an error object, or a stream of
/// JSON lines (NDJSON) that ends when the connection closes. Every response says <c>Connection: close</c>: one request
/// per connection keeps the server small, and a stream needs no chunked framing.
/// </summary>
internal sealed class ControlResponse(Stream stream)
{
    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Whether the status line has been written (a later failure can then only close the connection).</summary>
    public bool Started { get; private set; }

    /// <summary>Writes <paramref name="status"/> with the JSON object written by <paramref name="write"/>.</summary>
    public Task WriteJsonAsync(int status, Action<Utf8JsonWriter> write, CancellationToken cancellationToken, string? extraHeaders = null)
    {
        var body = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(body, JsonOptions))
        {
            write(writer);
        }

        body.Write("\n"u8);
        return WriteAsync(status, "application/json", body.WrittenMemory, extraHeaders, cancellationToken);
    }

    /// <summary>Writes the error document <c>{"error":{"code","message"}}</c> with <paramref name="status"/>.</summary>
    public Task WriteErrorAsync(int status, string code, string message, CancellationToken cancellationToken, string? extraHeaders = null) =>
        WriteJsonAsync(status, writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartObject("error");
            writer.WriteString("code", code);
            writer.WriteString("message", message.ReplaceLineEndings(" "));
            writer.WriteEndObject();
            writer.WriteEndObject();
        }, cancellationToken, extraHeaders);

    /// <summary>Starts a 200 stream of JSON lines; follow with <see cref="WriteLineAsync"/>.</summary>
    public Task StartLinesAsync(CancellationToken cancellationToken) => StartStreamAsync("application/x-ndjson", cancellationToken);

    /// <summary>Starts a 200 stream of <paramref name="contentType"/> that ends when the connection closes; follow with <see cref="WriteChunkAsync"/>.</summary>
    public async Task StartStreamAsync(string contentType, CancellationToken cancellationToken)
    {
        var head = Head(200, contentType, contentLength: null, extraHeaders: null);
        Started = true;
        await stream.WriteAsync(head, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes raw bytes of a started stream and sends them at once.</summary>
    public async Task WriteChunkAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes <paramref name="status"/> with a body of <paramref name="contentType"/> (a page, a stylesheet, metrics text).</summary>
    public Task WriteContentAsync(int status, string contentType, ReadOnlyMemory<byte> body, CancellationToken cancellationToken, string? extraHeaders = null) =>
        WriteAsync(status, contentType, body, extraHeaders, cancellationToken);

    /// <summary>Writes a <c>303 See Other</c> to <paramref name="location"/> with <paramref name="extraHeaders"/> (a cookie).</summary>
    public Task WriteRedirectAsync(string location, string extraHeaders, CancellationToken cancellationToken) =>
        WriteAsync(303, "text/plain; charset=utf-8", "see other\n"u8.ToArray(), $"Location: {location}\r\n{extraHeaders}", cancellationToken);

    /// <summary>Writes one JSON line of a stream and sends it at once.</summary>
    public async Task WriteLineAsync(Action<Utf8JsonWriter> write, CancellationToken cancellationToken)
    {
        var body = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(body, JsonOptions))
        {
            write(writer);
        }

        body.Write("\n"u8);
        await stream.WriteAsync(body.WrittenMemory, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteAsync(int status, string contentType, ReadOnlyMemory<byte> body, string? extraHeaders, CancellationToken cancellationToken)
    {
        var head = Head(status, contentType, body.Length, extraHeaders);
        Started = true;
        await stream.WriteAsync(head, cancellationToken).ConfigureAwait(false);
        await stream.WriteAsync(body, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static byte[] Head(int status, string contentType, int? contentLength, string? extraHeaders)
    {
        var head = new StringBuilder(160)
            .Append("HTTP/1.1 ").Append(status.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(Reason(status)).Append("\r\n")
            .Append("Content-Type: ").Append(contentType).Append("\r\n")
            .Append("Cache-Control: no-store\r\n")
            .Append("Connection: close\r\n")
            // Nothing the API serves may be framed (a restart button under another site's overlay), sniffed or leak
            // its address (a token shown once in /?token=) as a referrer.
            .Append("X-Content-Type-Options: nosniff\r\n")
            .Append("X-Frame-Options: DENY\r\n")
            .Append("Referrer-Policy: no-referrer\r\n");
        if (contentLength is { } length)
        {
            head.Append("Content-Length: ").Append(length.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
        }

        if (extraHeaders is not null)
        {
            head.Append(extraHeaders);
        }

        return Encoding.ASCII.GetBytes(head.Append("\r\n").ToString());
    }

    private static string Reason(int status) => status switch
    {
        200 => "OK",
        202 => "Accepted",
        303 => "See Other",
        401 => "Unauthorized",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Content Too Large",
        422 => "Unprocessable Content",
        431 => "Request Header Fields Too Large",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        _ => status >= 500 ? "Server Error" : "Error",
    };
}
