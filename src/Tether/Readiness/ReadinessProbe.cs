using System.Net;
using System.Net.Sockets;

namespace Tether.Readiness;

/// <summary>
/// One check of "is it ready yet?": a connection to a port or a Unix socket, an HTTP request, a file's existence.
/// Each returns null when ready, else what it saw (for the error message when the wait gives up).
/// </summary>
internal abstract class ReadinessProbe
{
    /// <summary>What the wait is for, in words: <c>port 127.0.0.1:8080 to accept connections</c>.</summary>
    public abstract string WaitingFor { get; }

    /// <summary>Checks once; null when ready, else a short note of what was seen instead.</summary>
    public abstract Task<string?> CheckAsync(CancellationToken cancellationToken);

    public static ReadinessProbe Port(string host, int port) => new PortProbe(host, port);

    public static ReadinessProbe UnixSocket(string path) => new UnixSocketProbe(path);

    public static ReadinessProbe Http(Uri url, int? expectStatus) => new HttpProbe(url, expectStatus);

    public static ReadinessProbe File(string path) => new FileProbe(path);

    private sealed class PortProbe(string host, int port) : ReadinessProbe
    {
        public override string WaitingFor => $"port {host}:{port} to accept connections";

        public override async Task<string?> CheckAsync(CancellationToken cancellationToken)
        {
            using var client = new TcpClient();
            try
            {
                await client.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);

                // Nothing listens, yet the connect succeeded: a TCP connection to a local port in the ephemeral range
                // can be given that same port as its source and connect to itself (a simultaneous open). That is not
                // the program accepting connections.
                return client.Client.LocalEndPoint is { } local && local.Equals(client.Client.RemoteEndPoint)
                    ? "connected to itself (nothing listens)"
                    : null;
            }
            catch (SocketException ex)
            {
                return ex.SocketErrorCode.ToString();
            }
        }
    }

    private sealed class UnixSocketProbe(string path) : ReadinessProbe
    {
        public override string WaitingFor => $"Unix socket {path} to accept connections";

        public override async Task<string?> CheckAsync(CancellationToken cancellationToken)
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
                return null;
            }
            catch (SocketException ex)
            {
                return ex.SocketErrorCode.ToString();
            }
        }
    }

    private sealed class HttpProbe(Uri url, int? expectStatus) : ReadinessProbe
    {
        // One client for all probes: a handler per probe would leak sockets in TIME_WAIT. Connections are not reused
        // for long, so a restarted server is seen afresh.
        private static readonly HttpClient Client = new(new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromSeconds(1),
            AllowAutoRedirect = false,
            UseProxy = false,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };

        public override string WaitingFor =>
            $"{RedactionPolicy.Default.Redact(url.ToString())} to answer {(expectStatus is { } status ? status.ToString(System.Globalization.CultureInfo.InvariantCulture) : "2xx")}";

        public override async Task<string?> CheckAsync(CancellationToken cancellationToken)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                using var response = await Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                var code = (int)response.StatusCode;
                var ok = expectStatus is { } expected ? code == expected : code is >= 200 and <= 299;
                return ok ? null : $"status {code}";
            }
            catch (HttpRequestException ex)
            {
                return ex.HttpRequestError == HttpRequestError.Unknown ? ex.Message : ex.HttpRequestError.ToString();
            }
        }
    }

    private sealed class FileProbe(string path) : ReadinessProbe
    {
        public override string WaitingFor => $"{path} to exist";

        public override Task<string?> CheckAsync(CancellationToken cancellationToken) =>
            Task.FromResult(System.IO.File.Exists(path) || Directory.Exists(path) ? null : "not there");
    }
}
