using System.Globalization;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Tether.Supervisor;

/// <summary>
/// Talks to a running supervisor over its control socket (docs/api.md): what <c>tether status|logs|start|stop|restart|
/// scale|reload|down</c> use. One HTTP/1.1 request per connection, as the server serves them.
/// </summary>
/// <param name="socketPath">The supervisor's control socket (<see cref="ControlSocket.ForProject"/>).</param>
/// <param name="timeout">How long to wait for an answer (default 30 s); a followed log stream waits only for its start.</param>
/// <param name="timeProvider">The clock the timeout runs on.</param>
public sealed class ControlClient(string socketPath, TimeSpan? timeout = null, TimeProvider? timeProvider = null)
{
    private readonly TimeSpan _timeout = timeout ?? TimeSpan.FromSeconds(30);
    private readonly TimeProvider _clock = timeProvider ?? TimeProvider.System;

    /// <summary>The control socket this client talks to.</summary>
    public string SocketPath { get; } = socketPath;

    /// <summary>A snapshot of the supervisor and every instance (<c>GET /api/status</c>).</summary>
    /// <exception cref="SupervisorNotRunningException">Nothing answers on the socket.</exception>
    /// <exception cref="ControlApiException">The supervisor refused the request.</exception>
    public async Task<SupervisorStatus> StatusAsync(CancellationToken cancellationToken = default)
    {
        using var document = await SendAsync("GET", "/api/status", null, cancellationToken).ConfigureAwait(false);
        return ControlJson.ReadStatus(document.RootElement);
    }

    /// <summary>
    /// Lines kept in memory for <paramref name="services"/> (all when empty), the last <paramref name="lines"/> first;
    /// with <paramref name="follow"/>, then every new line until <paramref name="cancellationToken"/> or the supervisor stops.
    /// </summary>
    /// <exception cref="SupervisorNotRunningException">Nothing answers on the socket.</exception>
    /// <exception cref="ControlApiException">A name is not a service, or the request was refused.</exception>
    public async IAsyncEnumerable<LogLine> LogsAsync(IReadOnlyCollection<string> services, int lines, bool follow, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        var query = new StringBuilder("/api/logs?lines=").Append(lines.ToString(CultureInfo.InvariantCulture));
        foreach (var service in services)
        {
            query.Append("&service=").Append(Uri.EscapeDataString(service));
        }

        if (follow)
        {
            query.Append("&follow=1");
        }

        using var connection = await OpenAsync("GET", query.ToString(), null, cancellationToken).ConfigureAwait(false);
        while (await connection.Reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            using var document = JsonDocument.Parse(line);
            yield return ControlJson.ReadLogLine(document.RootElement);
        }
    }

    /// <summary>Asks the supervisor to start, stop, restart or scale <paramref name="service"/>; returns once it took the command.</summary>
    /// <exception cref="SupervisorNotRunningException">Nothing answers on the socket.</exception>
    /// <exception cref="ControlApiException">Unknown service, or the supervisor refused the command.</exception>
    public async Task CommandAsync(OperatorAction action, string service, int replicas = 0, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(service);
        var body = action == OperatorAction.Scale ? "{\"replicas\":" + replicas.ToString(CultureInfo.InvariantCulture) + "}" : null;
        using var _ = await SendAsync("POST", $"/api/services/{Uri.EscapeDataString(service)}/{ControlJson.Word(action)}", body, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Asks the supervisor to re-read its file; an invalid file changes nothing (<see cref="ControlApiException"/> with code <c>invalid_configuration</c>).</summary>
    /// <exception cref="SupervisorNotRunningException">Nothing answers on the socket.</exception>
    /// <exception cref="ControlApiException">The file is invalid, or the request was refused.</exception>
    public async Task<ReloadReport> ReloadAsync(CancellationToken cancellationToken = default)
    {
        using var document = await SendAsync("POST", "/api/reload", null, cancellationToken).ConfigureAwait(false);
        return ControlJson.ReadReloadReport(document.RootElement);
    }

    /// <summary>Asks the supervisor to shut down (<paramref name="force"/>: SIGKILL every tree); returns once it began.</summary>
    /// <exception cref="SupervisorNotRunningException">Nothing answers on the socket.</exception>
    public async Task DownAsync(bool force, CancellationToken cancellationToken = default)
    {
        using var _ = await SendAsync("POST", "/api/down", force ? "{\"force\":true}" : "{\"force\":false}", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends one request and reads its JSON answer; an error answer becomes <see cref="ControlApiException"/>.</summary>
    private async Task<JsonDocument> SendAsync(string method, string target, string? body, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(_timeout, _clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            using var connection = await OpenAsync(method, target, body, linked.Token).ConfigureAwait(false);
            var text = await connection.Reader.ReadToEndAsync(linked.Token).ConfigureAwait(false);
            return JsonDocument.Parse(text);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The supervisor on {SocketPath} did not answer {method} {target} within {_timeout.TotalSeconds:0.###}s.");
        }
        catch (JsonException ex)
        {
            throw new IOException($"The supervisor on {SocketPath} answered {method} {target} with something that is not JSON: {ex.Message}", ex);
        }
    }

    /// <summary>Connects, sends the request, reads the status line and headers; an error status becomes <see cref="ControlApiException"/>.</summary>
    private async Task<Connection> OpenAsync(string method, string target, string? body, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath), cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.AddressNotAvailable or SocketError.ConnectionRefused or SocketError.AccessDenied || File.Exists(SocketPath) is false)
            {
                throw new SupervisorNotRunningException(SocketPath, ex);
            }

            var bytes = body is null ? [] : Encoding.UTF8.GetBytes(body);
            var head = $"{method} {target} HTTP/1.1\r\nHost: localhost\r\nUser-Agent: tether\r\nAccept: application/json\r\n"
                + (body is null ? "" : "Content-Type: application/json\r\n")
                + $"Content-Length: {bytes.Length.ToString(CultureInfo.InvariantCulture)}\r\nConnection: close\r\n\r\n";
            var stream = new NetworkStream(socket, ownsSocket: true);
            var connection = new Connection(stream);
            try
            {
                // One write: a server that refuses early (a 403, a 503) answers and closes, and a second write would
                // then fail with EPIPE and hide its answer. Even so, a failed write still reads what the server said.
                var request = new byte[Encoding.ASCII.GetByteCount(head) + bytes.Length];
                Encoding.ASCII.GetBytes(head, request);
                bytes.CopyTo(request.AsSpan(request.Length - bytes.Length));
                try
                {
                    await stream.WriteAsync(request, cancellationToken).ConfigureAwait(false);
                }
                catch (IOException)
                {
                    // The answer, if any, is still there to read; without one, reading fails and says so.
                }

                await connection.ReadHeadAsync(SocketPath, cancellationToken).ConfigureAwait(false);
                return connection;
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>One connection after its request: the response's status and a reader over its body.</summary>
    private sealed class Connection(NetworkStream stream) : IDisposable
    {
        public StreamReader Reader { get; } = new(stream, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false);

        public int Status { get; private set; }

        public async Task ReadHeadAsync(string socketPath, CancellationToken cancellationToken)
        {
            var statusLine = await Reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            var parts = statusLine?.Split(' ', 3);
            if (parts is not { Length: >= 2 } || !parts[0].StartsWith("HTTP/1.", StringComparison.Ordinal) || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var status))
            {
                throw new IOException($"The supervisor on {socketPath} answered with something that is not HTTP ('{statusLine}').");
            }

            Status = status;
            while (await Reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { Length: > 0 })
            {
                // The headers say nothing the client needs: every answer is JSON and ends when the connection closes.
            }

            if (status >= 300)
            {
                var text = await Reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
                var (code, message) = ErrorOf(text, status);
                throw new ControlApiException(status, code, message);
            }
        }

        public void Dispose()
        {
            Reader.Dispose();
            stream.Dispose();
        }

        private static (string Code, string Message) ErrorOf(string text, int status)
        {
            try
            {
                using var document = JsonDocument.Parse(text);
                var error = document.RootElement.GetProperty("error");
                return (error.GetProperty("code").GetString() ?? "error", error.GetProperty("message").GetString() ?? "");
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                return ("error", $"the supervisor answered HTTP {status.ToString(CultureInfo.InvariantCulture)}");
            }
        }
    }
}
