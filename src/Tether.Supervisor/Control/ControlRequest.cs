using System.Text;

namespace Tether.Supervisor;

/// <summary>
/// One HTTP/1.1 request to the control API, read within the server's bounds: the method, the decoded path, the query
/// and the body. Bodies come with <c>Content-Length</c> only (the API's bodies are a few bytes; chunked bodies are
/// refused).
/// </summary>
internal sealed class ControlRequest
{
    private static readonly byte[] HeaderEnd = "\r\n\r\n"u8.ToArray();

    private ControlRequest(string method, string path, IReadOnlyList<KeyValuePair<string, string>> query, IReadOnlyList<KeyValuePair<string, string>> headers, ReadOnlyMemory<byte> body)
    {
        Method = method;
        Path = path;
        Query = query;
        Headers = headers;
        Body = body;
    }

    /// <summary><c>GET</c>, <c>POST</c>, … as sent.</summary>
    public string Method { get; }

    /// <summary>The path, without the query, as sent (percent-escapes are decoded per segment by the router).</summary>
    public string Path { get; }

    /// <summary>The query's parameters in order, decoded (a key may repeat: <c>service=a&amp;service=b</c>).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Query { get; }

    /// <summary>The body (empty when none was sent).</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>The headers in order, names as sent, values trimmed (bounded by the head's size limit).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    /// <summary>The value of the header <paramref name="name"/> (case-insensitive; the first when repeated), or null.</summary>
    public string? Header(string name)
    {
        foreach (var (key, value) in Headers)
        {
            if (key.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>Every value of the query parameter <paramref name="name"/>.</summary>
    public IEnumerable<string> Values(string name) => Query.Where(p => p.Key == name).Select(p => p.Value);

    /// <summary>The last value of the query parameter <paramref name="name"/>, or null.</summary>
    public string? Value(string name) => Query.LastOrDefault(p => p.Key == name).Value;

    /// <summary>Reads one request from <paramref name="stream"/>.</summary>
    /// <exception cref="ControlError">The request is malformed or over a bound (431, 413, 400, 501).</exception>
    /// <exception cref="EndOfStreamException">The client closed the connection before a whole request.</exception>
    public static async Task<ControlRequest> ReadAsync(Stream stream, ControlServerOptions options, CancellationToken cancellationToken)
    {
        var buffer = new byte[Math.Min(options.MaxHeaderBytes, 4096)];
        var length = 0;
        int headerLength;
        while ((headerLength = buffer.AsSpan(0, length).IndexOf(HeaderEnd)) < 0)
        {
            if (length == buffer.Length)
            {
                if (buffer.Length >= options.MaxHeaderBytes)
                {
                    throw new ControlError(431, "headers_too_large", $"the request line and headers are over {options.MaxHeaderBytes} bytes: send a shorter request");
                }

                Array.Resize(ref buffer, Math.Min(buffer.Length * 2, options.MaxHeaderBytes));
            }

            var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new EndOfStreamException("The client closed the connection before a whole request.");
            }

            length += read;
        }

        var head = Encoding.ASCII.GetString(buffer, 0, headerLength).Split("\r\n");
        var requestLine = head[0].Split(' ');
        if (requestLine.Length != 3 || !requestLine[2].StartsWith("HTTP/1.", StringComparison.Ordinal) || requestLine[0].Length == 0 || !requestLine[1].StartsWith('/'))
        {
            throw ControlError.BadRequest("malformed request line: expected 'METHOD /path HTTP/1.1'");
        }

        var contentLength = 0L;
        var headers = new List<KeyValuePair<string, string>>(head.Length - 1);
        foreach (var line in head.AsSpan(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw ControlError.BadRequest("malformed header line: expected 'Name: value'");
            }

            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            headers.Add(new(name, value));
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                if (!long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out contentLength))
                {
                    throw ControlError.BadRequest($"Content-Length '{value}' is not a number of bytes");
                }
            }
            else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                throw new ControlError(501, "not_implemented", "chunked request bodies are not supported: send the body with Content-Length");
            }
        }

        if (contentLength > options.MaxBodyBytes)
        {
            throw new ControlError(413, "body_too_large", $"the request body is {contentLength} bytes, over the limit of {options.MaxBodyBytes}: the API's bodies are small JSON objects");
        }

        var body = new byte[contentLength];
        var already = Math.Min(length - headerLength - HeaderEnd.Length, (int)contentLength);
        buffer.AsSpan(headerLength + HeaderEnd.Length, already).CopyTo(body);
        if (already < contentLength)
        {
            await stream.ReadExactlyAsync(body.AsMemory(already), cancellationToken).ConfigureAwait(false);
        }

        var target = requestLine[1];
        var question = target.IndexOf('?', StringComparison.Ordinal);
        var path = question < 0 ? target : target[..question];
        var query = question < 0 ? [] : ParseQuery(target[(question + 1)..]);
        return new ControlRequest(requestLine[0], path, query, headers, body);
    }

    private static List<KeyValuePair<string, string>> ParseQuery(string query)
    {
        var result = new List<KeyValuePair<string, string>>();
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = equals < 0 ? pair : pair[..equals];
            var value = equals < 0 ? "" : pair[(equals + 1)..];
            result.Add(new(Decode(key), Decode(value)));
        }

        return result;
    }

    /// <summary>Percent-decodes a query component (<c>+</c> is a space, as forms send it).</summary>
    private static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));
}
