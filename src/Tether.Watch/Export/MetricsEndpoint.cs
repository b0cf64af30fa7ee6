using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Tether.Watch;

/// <summary>
/// Serves the watcher's metrics at <c>GET /metrics</c> in the Prometheus text format 0.0.4, from a deliberately tiny
/// HTTP/1.1 server: one request per connection (<c>Connection: close</c>), the request line and headers read up to
/// 8 KiB within a read timeout, <c>200</c> for <c>GET /metrics</c>, <c>404</c> for any other path, <c>405</c> for any
/// other method, <c>401</c> without the bearer token when one is configured, <c>400</c> or <c>431</c> for a request it
/// cannot read. At most <see cref="MaxConnections"/> connections are served at once; more are closed at once.
/// </summary>
/// <remarks>
/// <para>Metrics (all prefixed <c>tether_watch_</c>): <c>beats_total</c>, <c>stalls_total</c>,
/// <c>decode_errors_total{kind}</c>, <c>authentication_failures_total</c>, <c>namespace_conflicts_total</c>,
/// <c>origin_conflicts_total</c>, <c>evictions_total</c>, <c>pid_reuses_total</c>, <c>terminations_total</c>,
/// <c>drops_total{reason}</c>, <c>recovery_refusals_total{reason}</c>, <c>recoveries_started_total</c>,
/// <c>recovery_outcomes_total{outcome}</c>, the gauges <c>agents</c> and <c>recoveries_in_flight</c>, and the histogram
/// <c>engine_tick_duration_seconds</c>. Label values are snake_case; every value of an enum is present, zero
/// included.</para>
/// <para>Security: the endpoint binds to loopback unless told otherwise, and binding anywhere else requires a bearer
/// token, read once from an owner-only file at start. Tokens are compared in constant time (over their SHA-256, so
/// not even the length leaks). Nothing the server receives is logged.</para>
/// </remarks>
public sealed class MetricsEndpoint : IAsyncDisposable
{
    /// <summary>The most connections served at once.</summary>
    public const int MaxConnections = 16;

    /// <summary>The largest request head (request line and headers) read.</summary>
    public const int MaxRequestBytes = 8 * 1024;

    /// <summary>The largest bearer token file read.</summary>
    public const int MaxTokenFileBytes = 4 * 1024;

    /// <summary>How long a client may take to send its request, and to take the response, by default.</summary>
    public static readonly TimeSpan DefaultIoTimeout = TimeSpan.FromSeconds(5);

    private readonly TcpListener _listener;
    private readonly Func<WatchCounters> _counters;
    private readonly TickDurationHistogram _histogram;
    private readonly byte[]? _tokenHash;
    private readonly TimeSpan _ioTimeout;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly HashSet<Task> _connections = [];
    private readonly Task _acceptLoop;
    private int _disposed;

    private MetricsEndpoint(TcpListener listener, Func<WatchCounters> counters, TickDurationHistogram histogram, byte[]? tokenHash, TimeSpan ioTimeout)
    {
        _listener = listener;
        _counters = counters;
        _histogram = histogram;
        _tokenHash = tokenHash;
        _ioTimeout = ioTimeout;
        LocalEndpoint = (IPEndPoint)listener.LocalEndpoint;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The address and port actually bound (the port the OS chose when port 0 was asked for).</summary>
    public IPEndPoint LocalEndpoint { get; }

    /// <summary>Whether requests must carry the bearer token.</summary>
    public bool RequiresToken => _tokenHash is not null;

    /// <summary>
    /// Binds to <paramref name="endpoint"/> and starts serving <c>GET /metrics</c>.
    /// </summary>
    /// <param name="endpoint">Where to listen; port 0 picks a free port (see <see cref="LocalEndpoint"/>).</param>
    /// <param name="counters">Returns the counters to report, called once per scrape.</param>
    /// <param name="histogram">The engine's tick durations.</param>
    /// <param name="bearerTokenFile">A file holding the token clients must send as <c>Authorization: Bearer …</c>; one line, owner-only, not empty. Required when <paramref name="endpoint"/> is not a loopback address; optional (but enforced when given) on loopback.</param>
    /// <exception cref="ArgumentException">A non-loopback address without a token file, or a token file that is missing, unreadable, readable or writable by group or others, empty, or not one line.</exception>
    /// <exception cref="SocketException">The address could not be bound (in use, not local, not permitted).</exception>
    public static MetricsEndpoint Start(IPEndPoint endpoint, Func<WatchCounters> counters, TickDurationHistogram histogram, string? bearerTokenFile) =>
        Start(endpoint, counters, histogram, bearerTokenFile, DefaultIoTimeout);

    /// <summary>As <see cref="Start(IPEndPoint, Func{WatchCounters}, TickDurationHistogram, string?)"/>, with the request and response timeout.</summary>
    internal static MetricsEndpoint Start(IPEndPoint endpoint, Func<WatchCounters> counters, TickDurationHistogram histogram, string? bearerTokenFile, TimeSpan ioTimeout)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(counters);
        ArgumentNullException.ThrowIfNull(histogram);
        if (bearerTokenFile is null && !IPAddress.IsLoopback(endpoint.Address))
        {
            throw new ArgumentException(
                $"The metrics endpoint is binding to a non-loopback address ({endpoint}), which needs --metrics-token-file: anyone who can reach the address could read the watcher's metrics. Give a token file, or bind to 127.0.0.1.",
                nameof(bearerTokenFile));
        }

        var tokenHash = bearerTokenFile is null ? null : SHA256.HashData(ReadToken(bearerTokenFile));
        var listener = new TcpListener(endpoint);
        listener.Start(backlog: MaxConnections);
        return new MetricsEndpoint(listener, counters, histogram, tokenHash, ioTimeout);
    }

    /// <summary>Stops listening and waits for the connections being served to finish (each is bounded by the I/O timeout). Safe to call more than once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        await _acceptLoop.ConfigureAwait(false);
        Task[] connections;
        lock (_gate)
        {
            connections = [.. _connections];
        }

        await Task.WhenAll(connections).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private static byte[] ReadToken(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The metrics token file's permission check is implemented for Linux only.");
        }

        string problem;
        try
        {
            var mode = File.GetUnixFileMode(path);
            const UnixFileMode Shared = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;
            if ((mode & Shared) != 0)
            {
                throw new ArgumentException(
                    $"The metrics token file '{path}' can be read or written by group or others (mode {Convert.ToString((int)mode, 8)}); make it owner-only: chmod 600 '{path}'.",
                    "bearerTokenFile");
            }

            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            var buffer = new byte[MaxTokenFileBytes + 1];
            var length = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            if (length > MaxTokenFileBytes)
            {
                problem = $"is larger than {MaxTokenFileBytes} bytes";
            }
            else
            {
                var token = Encoding.UTF8.GetString(buffer, 0, length).Trim();
                if (token.Length == 0)
                {
                    problem = "is empty";
                }
                else if (token.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
                {
                    problem = "holds more than one line or a token with spaces in it";
                }
                else
                {
                    return Encoding.UTF8.GetBytes(token);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problem = "could not be read: " + ex.Message.TrimEnd('.');
        }

        throw new ArgumentException($"The metrics token file '{path}' {problem}. It must hold one token on one line.", "bearerTokenFile");
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException || _stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                // A transient failure (out of file descriptors, a connection reset before it was accepted): keep
                // serving, but do not spin.
                await Task.Delay(TimeSpan.FromMilliseconds(100)).ConfigureAwait(false);
                continue;
            }

            lock (_gate)
            {
                if (_connections.Count >= MaxConnections)
                {
                    client.Dispose();
                    continue;
                }

                var connection = ServeAsync(client);
                _connections.Add(connection);
                _ = connection.ContinueWith(
                    (done, state) =>
                    {
                        var self = (MetricsEndpoint)state!;
                        lock (self._gate)
                        {
                            self._connections.Remove(done);
                        }
                    },
                    this,
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
            }
        }
    }

    private async Task ServeAsync(Socket client)
    {
        await Task.Yield(); // never serve on the accept loop's thread
        using (client)
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token))
        {
            try
            {
                timeout.CancelAfter(_ioTimeout);
                var response = await ReadRequestAsync(client, timeout.Token).ConfigureAwait(false);
                if (response is null)
                {
                    return; // the client hung up or took too long: nobody to answer
                }

                timeout.CancelAfter(_ioTimeout);
                await client.SendAsync(response, SocketFlags.None, timeout.Token).ConfigureAwait(false);
                client.Shutdown(SocketShutdown.Send);

                // A lingering close: closing with unread bytes (a request body, the rest of an oversized head) would
                // send a reset that can destroy the response before the client reads it. Drain a little first.
                await DrainAsync(client, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException or ObjectDisposedException)
            {
                // A client that resets, stalls or leaves is its own problem; the server carries on.
            }
        }
    }

    private static async Task DrainAsync(Socket client, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        for (var drained = 0; drained < 64 * 1024;)
        {
            var read = await client.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return;
            }

            drained += read;
        }
    }

    /// <summary>Reads the request head and returns the whole response to send, or null when there is nobody to answer.</summary>
    private async Task<byte[]?> ReadRequestAsync(Socket client, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxRequestBytes];
        var length = 0;
        int headEnd;
        while ((headEnd = FindHeadEnd(buffer.AsSpan(0, length))) < 0)
        {
            if (length == buffer.Length)
            {
                return Response(431, "Request Header Fields Too Large", "The request head is larger than 8 KiB.\n");
            }

            var read = await client.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return null;
            }

            length += read;
        }

        return Answer(Encoding.Latin1.GetString(buffer, 0, headEnd));
    }

    private static int FindHeadEnd(ReadOnlySpan<byte> bytes)
    {
        var crlf = bytes.IndexOf("\r\n\r\n"u8);
        var lf = bytes.IndexOf("\n\n"u8);
        return crlf < 0 ? lf : lf < 0 ? crlf : Math.Min(crlf, lf);
    }

    private byte[] Answer(string head)
    {
        var lines = head.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        var parts = lines[0].Split(' ');
        if (parts.Length != 3 || parts[0].Length == 0 || !parts[1].StartsWith('/') || !parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            return Response(400, "Bad Request", "Not an HTTP/1.x request.\n");
        }

        // Authentication comes first, so that without the token nothing about the server is learnt.
        if (_tokenHash is not null && !Authorized(lines.AsSpan(1)))
        {
            return Response(401, "Unauthorized", "A bearer token is required.\n", "WWW-Authenticate: Bearer realm=\"tether\"\r\n");
        }

        if (parts[0] != "GET")
        {
            return Response(405, "Method Not Allowed", "Only GET is served.\n", "Allow: GET\r\n");
        }

        var path = parts[1].Split('?', 2)[0];
        if (path != "/metrics")
        {
            return Response(404, "Not Found", "The metrics are at /metrics.\n");
        }

        var body = PrometheusText.Render(_counters(), _histogram);
        return Response(200, "OK", body, contentType: PrometheusText.ContentType);
    }

    private bool Authorized(ReadOnlySpan<string> headers)
    {
        foreach (var header in headers)
        {
            var colon = header.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || !header.AsSpan(0, colon).Trim().Equals("Authorization", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var value = header.AsSpan(colon + 1).Trim();
            const string Scheme = "Bearer ";
            if (!value.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }

            // The head was decoded as Latin-1, one char per byte: turn it back into the bytes that were sent.
            var presented = Encoding.Latin1.GetBytes(value[Scheme.Length..].Trim().ToString());
            return CryptographicOperations.FixedTimeEquals(SHA256.HashData(presented), _tokenHash);
        }

        return false;
    }

    private static byte[] Response(int status, string reason, string body, string extraHeaders = "", string contentType = "text/plain; charset=utf-8")
    {
        var content = Encoding.UTF8.GetBytes(body);
        var head = Encoding.ASCII.GetBytes(
            $"HTTP/1.1 {status} {reason}\r\nContent-Type: {contentType}\r\nContent-Length: {content.Length}\r\nConnection: close\r\nCache-Control: no-store\r\n{extraHeaders}\r\n");
        return [.. head, .. content];
    }
}
