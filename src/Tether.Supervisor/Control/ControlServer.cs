using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Tether.Interop;

namespace Tether.Supervisor;

/// <summary>
/// Serves the control API (docs/api.md) of one <see cref="ISupervisorControl"/> over a Unix socket, or over TCP with
/// the status page and <c>/metrics</c> (<see cref="ListenHttp"/>): HTTP/1.1 with JSON, one request per connection, so
/// <c>curl --unix-socket .tether/control.sock http://localhost/api/status</c> works.
/// </summary>
/// <remarks>
/// Who may ask: the socket file is 0600 in a 0700 directory, and every connection's peer is checked with
/// <c>SO_PEERCRED</c> — only the supervisor's own user is served; anyone else (root included) gets 403. Bounds: at most
/// <see cref="ControlServerOptions.MaxConnections"/> connections (one more gets 503), a request's head and body have
/// size limits (431, 413), and a client must send its request within <see cref="ControlServerOptions.RequestTimeout"/>
/// (408). The routes (<see cref="ControlRoutes"/>) know nothing of the transport, so another listener (TCP with a token)
/// adds its own check (<see cref="HttpAccess"/>: the bearer token, the page's session and CSRF token), not new routes.
/// </remarks>
public sealed class ControlServer : IAsyncDisposable
{
    /// <summary><c>sockaddr_un</c>'s path field: at most 107 bytes and the terminating NUL.</summary>
    private const int SocketPathCapacity = 108;

    private readonly Socket _listener;
    private readonly ControlRoutes _routes;
    private readonly ControlServerOptions _options;
    private readonly uint _ownUid;
    private readonly HttpAccess? _access;
    private readonly string? _socketPath;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Task, bool> _connections = new();
    private readonly Task _acceptLoop;
    private long _active;
    private long _refusedConnections;
    private long _rejectedRequests;
    private long _forbidden;
    private long _unauthorized;

    private ControlServer(Socket listener, string? socketPath, ISupervisorControl control, ControlServerOptions options, HttpAccess? access)
    {
        _listener = listener;
        _socketPath = socketPath;
        HttpEndpoint = socketPath is null ? (IPEndPoint)listener.LocalEndPoint! : null;
        _access = access;
        _routes = new ControlRoutes(control, new PageSite(options, access?.Csrf ?? "", ServesPage: access is not null));
        _options = options;
        _ownUid = Libc.geteuid();
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The Unix socket the server listens on.</summary>
    /// <exception cref="InvalidOperationException">The server listens on TCP (see <see cref="HttpEndpoint"/>).</exception>
    public string SocketPath => _socketPath ?? throw new InvalidOperationException("This control server listens on TCP, not a Unix socket: see HttpEndpoint.");

    /// <summary>The TCP address and port actually bound (the port the OS chose for port 0), or null for a Unix socket.</summary>
    public IPEndPoint? HttpEndpoint { get; }

    /// <summary>Whether TCP requests must carry the bearer token (or the page session it opens).</summary>
    public bool RequiresToken => _access?.RequiresToken ?? false;

    /// <summary>TCP requests refused for a missing or wrong token (401), a foreign host or origin, or a missing CSRF token (403).</summary>
    public long UnauthorizedRequests => Interlocked.Read(ref _unauthorized);

    /// <summary>Connections answered 503 because <see cref="ControlServerOptions.MaxConnections"/> were being served.</summary>
    public long RefusedConnections => Interlocked.Read(ref _refusedConnections);

    /// <summary>Requests refused for their shape or size, or because they came too slowly (400, 405, 408, 413, 431, 501).</summary>
    public long RejectedRequests => Interlocked.Read(ref _rejectedRequests);

    /// <summary>Connections refused because the peer was another user (403).</summary>
    public long ForbiddenConnections => Interlocked.Read(ref _forbidden);

    /// <summary>
    /// Listens on <paramref name="socketPath"/> (a stale socket file there is replaced: call this only while holding the
    /// project's supervisor lock) and serves <paramref name="control"/> until disposed.
    /// </summary>
    /// <exception cref="IOException">The socket cannot be created (the message says where and why).</exception>
    public static ControlServer Listen(ISupervisorControl control, string socketPath, ControlServerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(control);
        ArgumentException.ThrowIfNullOrEmpty(socketPath);
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The control server needs Linux: it checks each client's user with SO_PEERCRED.");
        }

        if (System.Text.Encoding.UTF8.GetByteCount(socketPath) >= SocketPathCapacity)
        {
            throw new IOException($"The control socket path {socketPath} is over {SocketPathCapacity - 1} bytes, the most a Unix socket address holds: run the project from a shorter directory.");
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(socketPath))!;
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.Delete(socketPath);
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(socketPath));
            File.SetUnixFileMode(socketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            listener.Listen(64);
        }
        catch (Exception ex) when (ex is SocketException or UnauthorizedAccessException or IOException)
        {
            listener.Dispose();
            throw new IOException($"Cannot listen on the control socket {socketPath}: {ex.Message}", ex);
        }

        return new ControlServer(listener, socketPath, control, options ?? new ControlServerOptions(), access: null);
    }

    /// <summary>
    /// Listens on TCP at <paramref name="endpoint"/> and serves the same API, the status page (<c>/</c>) and
    /// <c>/metrics</c> until disposed. Off loopback <paramref name="token"/> is required; on loopback it is enforced when
    /// given (docs/api.md, "Security").
    /// </summary>
    /// <param name="control">The supervisor to serve.</param>
    /// <param name="endpoint">Where to listen; port 0 picks a free port (see <see cref="HttpEndpoint"/>).</param>
    /// <param name="token">The bearer token clients must show, or null (loopback only).</param>
    /// <param name="options">The bounds; null for the defaults.</param>
    /// <exception cref="ArgumentException">A non-loopback address without a token, or an empty token.</exception>
    /// <exception cref="IOException">The address cannot be bound (the message says which and why).</exception>
    public static ControlServer ListenHttp(ISupervisorControl control, IPEndPoint endpoint, string? token, ControlServerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(control);
        ArgumentNullException.ThrowIfNull(endpoint);
        if (token is not null && token.Trim().Length == 0)
        {
            throw new ArgumentException("The token is empty: give a non-empty one, or none to have one generated.", nameof(token));
        }

        if (token is null && !HttpAccess.IsLoopback(endpoint.Address))
        {
            throw new ArgumentException($"Serving the control API on {endpoint}, which is not a loopback address, needs a token: anyone who can reach it could stop your services.", nameof(token));
        }

        var listener = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(endpoint);
            listener.Listen(64);
        }
        catch (SocketException ex)
        {
            listener.Dispose();
            throw new IOException($"Cannot listen on {endpoint}: {ex.Message}", ex);
        }

        return new ControlServer(listener, socketPath: null, control, options ?? new ControlServerOptions(), new HttpAccess(token));
    }

    /// <summary>Stops accepting, ends every connection (followed log streams included), and removes the socket file.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        await Task.WhenAll(_connections.Keys).ConfigureAwait(false);
        try
        {
            if (_socketPath is not null)
            {
                File.Delete(_socketPath);
            }
        }
        catch (IOException)
        {
            // Gone or replaced already; a stale file is replaced by the next supervisor anyway.
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stop.IsCancellationRequested)
                {
                    return;
                }

                continue; // A client that vanished between connect and accept.
            }

            var task = Interlocked.Increment(ref _active) > _options.MaxConnections ? RefuseAsync(client) : ServeAsync(client);
            _connections[task] = true;
            _ = task.ContinueWith(t => _connections.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task RefuseAsync(Socket client)
    {
        Interlocked.Increment(ref _refusedConnections);
        try
        {
            await AnswerErrorAsync(client, new ControlError(503, "busy", $"the supervisor serves {_options.MaxConnections} control connections at once: try again, or close a 'tether logs -f'")).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _active);
            client.Dispose();
        }
    }

    private async Task ServeAsync(Socket client)
    {
        try
        {
            if (_access is null && !Allowed(client))
            {
                Interlocked.Increment(ref _forbidden);
                await AnswerErrorAsync(client, new ControlError(403, "forbidden", "only the user who started the supervisor may control it")).ConfigureAwait(false);
                return;
            }

            await using var stream = new NetworkStream(client, ownsSocket: false);
            var response = new ControlResponse(stream);
            using var deadline = new CancellationTokenSource(_options.RequestTimeout, _options.TimeProvider);
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, _stop.Token);
            try
            {
                var request = await ControlRequest.ReadAsync(stream, _options, bounded.Token).ConfigureAwait(false);
                if (Admit(request))
                {
                    // A browser showed the token in the address: give it the session and take the token out of the address bar.
                    await response.WriteRedirectAsync("/", _access!.SessionCookieHeader(), bounded.Token).ConfigureAwait(false);
                    return;
                }

                await _routes.HandleAsync(request, response, bounded.Token, _stop.Token).ConfigureAwait(false);
            }
            catch (ControlError error) when (!response.Started)
            {
                if (error.Status is 401 or 403)
                {
                    Interlocked.Increment(ref _unauthorized);
                }
                else if (error.Status is not (404 or 409 or 422))
                {
                    Interlocked.Increment(ref _rejectedRequests);
                }

                var extra = error.Status switch
                {
                    405 => "Allow: GET, POST\r\n",
                    401 => "WWW-Authenticate: Bearer realm=\"tether\"\r\n",
                    _ => null,
                };
                await response.WriteErrorAsync(error.Status, error.Code, error.Message, bounded.Token, extra).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !response.Started && !_stop.IsCancellationRequested)
            {
                Interlocked.Increment(ref _rejectedRequests);
                using var last = new CancellationTokenSource(_options.RequestTimeout, _options.TimeProvider);
                await response.WriteErrorAsync(408, "timeout", $"the request did not arrive within {_options.RequestTimeout.TotalSeconds:0.###}s", last.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not (OperationCanceledException or IOException or SocketException or EndOfStreamException or ObjectDisposedException) && !response.Started)
            {
                // A fault of the supervisor behind one request must not end the server; the client gets its message.
                await response.WriteErrorAsync(500, "internal", ex.Message, bounded.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or EndOfStreamException or ObjectDisposedException)
        {
            // The client went away, was too slow, or the server stops: nothing left to tell it.
        }
        finally
        {
            Interlocked.Decrement(ref _active);
            client.Dispose();
        }
    }

    /// <summary>TCP only: checks the request's credentials (throws 401/403); true when it opens a page session.</summary>
    private bool Admit(ControlRequest request) => _access is not null && _access.Check(request);

    private bool Allowed(Socket client)
    {
        var peer = PeerCredentials.Of(client);
        return peer.Uid == _ownUid;
    }

    private async Task AnswerErrorAsync(Socket client, ControlError error)
    {
        try
        {
            await using var stream = new NetworkStream(client, ownsSocket: false);
            using var deadline = new CancellationTokenSource(_options.RequestTimeout, _options.TimeProvider);
            await new ControlResponse(stream).WriteErrorAsync(error.Status, error.Code, error.Message, deadline.Token).ConfigureAwait(false);
            client.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // The client is gone; the refusal is counted.
        }
    }
}
