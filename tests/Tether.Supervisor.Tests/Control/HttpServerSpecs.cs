using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Tether.Journaling;

namespace Tether.Supervisor.Tests.Control;

/// <summary>
/// The TCP listener's routes beyond the Unix socket's — <c>/metrics</c>, <c>/api/events</c>, <c>/api/journal</c>, the
/// embedded page — and its bounds: unknown routes, malformed, huge and slow requests, too many connections
/// (the load is <see cref="HttpLoadSpecs"/>).
/// </summary>
public sealed class HttpServerSpecs : IAsyncLifetime
{
    private const string Token = "t0ken";
    private const string Bearer = "Authorization: Bearer t0ken\r\n";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tether-http-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly FakeSupervisorControl _control = new();
    private ControlServer? _server;

    private IPEndPoint Endpoint => _server!.HttpEndpoint!;

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        _server = ControlServer.ListenHttp(_control, new IPEndPoint(IPAddress.Loopback, 0), Token, new ControlServerOptions
        {
            JournalDirectory = Path.Combine(_directory, "journal"),
            EventPeriod = TimeSpan.FromMilliseconds(50),
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _server!.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Theory]
    [InlineData("GET /nowhere HTTP/1.1", 404, "not_found")]
    [InlineData("GET /assets/missing.js HTTP/1.1", 404, "not_found")]
    [InlineData("DELETE /api/status HTTP/1.1", 405, "method_not_allowed")]
    [InlineData("GARBAGE", 400, "bad_request")]
    public async Task A_request_it_cannot_serve_gets_one_error_object(string requestLine, int status, string code)
    {
        var answer = await TcpHttp.SendAsync(Endpoint, $"{requestLine}\r\nHost: {Endpoint}\r\n{Bearer}\r\n");

        Assert.Equal(status, answer.Status);
        Assert.Equal(code, answer.Error().Code);
    }

    [Fact]
    public async Task A_huge_body_is_refused_413_before_it_is_read()
    {
        var answer = await TcpHttp.SendAsync(Endpoint, $"POST /api/services/web/scale HTTP/1.1\r\nHost: {Endpoint}\r\n{Bearer}Content-Length: 100000000\r\n\r\n{{\"replicas\":");

        Assert.Equal(413, answer.Status);
        Assert.Empty(_control.Commands);
    }

    [Fact]
    public async Task A_malformed_body_is_refused_400_and_changes_nothing()
    {
        var answer = await TcpHttp.SendAsync(Endpoint, TcpHttp.Request("POST", "/api/services/web/scale", Endpoint, Bearer, "{\"replicas\": [1"));

        Assert.Equal(400, answer.Status);
        Assert.Contains("not valid JSON", answer.Error().Message, StringComparison.Ordinal);
        Assert.Empty(_control.Commands);
    }

    [Fact]
    public async Task A_slow_client_is_answered_408_and_dropped()
    {
        var clock = new FakeTimeProvider();
        await using var server = ControlServer.ListenHttp(_control, new IPEndPoint(IPAddress.Loopback, 0), Token, new ControlServerOptions { TimeProvider = clock, RequestTimeout = TimeSpan.FromSeconds(5) });
        using var socket = await TcpHttp.ConnectAsync(server.HttpEndpoint!);
        await socket.SendAsync("GET /api/sta"u8.ToArray());

        Assert.True(await Bounds.EventuallyAsync(() =>
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            return socket.Available > 0 || server.RejectedRequests > 0;
        }));
        var answer = await RawHttp.ReadAnswerAsync(socket);

        Assert.Equal(408, answer.Status);
    }

    [Fact]
    public async Task Clients_beyond_the_connection_limit_are_answered_503()
    {
        await using var server = ControlServer.ListenHttp(_control, new IPEndPoint(IPAddress.Loopback, 0), Token, new ControlServerOptions { MaxConnections = 2 });
        using var first = await TcpHttp.ConnectAsync(server.HttpEndpoint!);
        using var second = await TcpHttp.ConnectAsync(server.HttpEndpoint!);
        // Until the server has accepted both holders a third client may still be served; once it has, it is refused.
        RawAnswer? refused = null;
        Assert.True(await Bounds.EventuallyAsync(() =>
        {
            refused = TcpHttp.SendAsync(server.HttpEndpoint!, TcpHttp.Request("GET", "/api/status", server.HttpEndpoint!, Bearer)).GetAwaiter().GetResult();
            return refused.Status == 503;
        }));

        Assert.Equal("busy", refused!.Error().Code);
        Assert.True(server.RefusedConnections >= 1);
    }

    [Fact]
    public async Task Metrics_are_prometheus_text_with_every_state_and_the_supervisors_own_use()
    {
        var answer = await TcpHttp.SendAsync(Endpoint, TcpHttp.Request("GET", "/metrics", Endpoint, Bearer));

        Assert.Equal(200, answer.Status);
        Assert.Contains("Content-Type: text/plain; version=0.0.4", answer.Head, StringComparison.Ordinal);
        var lines = answer.Body.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("tether_service_up{service=\"web\",instance=\"1\"} 0", lines);
        Assert.Contains("tether_service_state{service=\"db\",instance=\"0\",state=\"ready\"} 1", lines);
        Assert.Contains("tether_service_state{service=\"db\",instance=\"0\",state=\"failed\"} 0", lines);
        Assert.Contains("tether_service_restarts_total{service=\"web\",instance=\"1\"} 5", lines);
        Assert.Contains("tether_service_health{service=\"web\",instance=\"1\",health=\"failing\"} 1", lines);
        Assert.Contains("tether_service_log_dropped_lines_total{service=\"web\"} 3", lines);
        Assert.Contains(lines, l => l.StartsWith("process_resident_memory_bytes ", StringComparison.Ordinal) && long.Parse(l.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture) > 1_000_000);
        Assert.Contains(lines, l => l.StartsWith("process_cpu_seconds_total ", StringComparison.Ordinal));

        // Every sample belongs to a family announced with HELP and TYPE before it.
        var announced = new HashSet<string>();
        foreach (var line in lines)
        {
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                Assert.True(announced.Add(line.Split(' ')[2]), "a family announced twice: " + line);
            }
            else if (!line.StartsWith('#'))
            {
                Assert.Contains(line.Split('{', ' ')[0], announced);
            }
        }
    }

    [Fact]
    public async Task Events_send_the_status_at_once_and_again_when_a_service_changes()
    {
        using var socket = await TcpHttp.ConnectAsync(Endpoint);
        await socket.SendAsync(System.Text.Encoding.UTF8.GetBytes(TcpHttp.Request("GET", "/api/events", Endpoint, Bearer)));
        var received = new System.Text.StringBuilder();
        var buffer = new byte[65536];
        async Task<int> EventsAsync(int count)
        {
            while (CountEvents(received.ToString()) < count)
            {
                var read = await socket.ReceiveAsync(buffer, System.Net.Sockets.SocketFlags.None).WaitAsync(Bounds.Eventually);
                Assert.True(read > 0, "the stream ended");
                received.Append(System.Text.Encoding.UTF8.GetString(buffer, 0, read));
            }

            return CountEvents(received.ToString());
        }

        await EventsAsync(1);
        Assert.Contains("Content-Type: text/event-stream", received.ToString(), StringComparison.Ordinal);
        await Task.Delay(300); // several periods: an unchanged status sends nothing
        Assert.Equal(1, CountEvents(received.ToString()));

        _control.Instances[0] = _control.Instances[0] with { Pid = 4999, Restarts = 1, State = ServiceState.Running };
        await EventsAsync(2);

        var last = received.ToString().Split("event: status\ndata: ")[^1].Split("\n\n")[0];
        using var document = JsonDocument.Parse(last);
        Assert.Equal(4999, document.RootElement.GetProperty("instances")[0].GetProperty("pid").GetInt32());
    }

    [Fact]
    public async Task The_journal_route_tells_a_services_timeline_in_sentences()
    {
        await using (var journal = await Journal.OpenAsync(Path.Combine(_directory, "journal")))
        {
            await journal.AppendAsync(new JournalEntry("service.exited", "web#0", new JsonObject { ["exit"] = "exit 1", ["at_ms"] = 10 }));
            await journal.AppendAsync(new JournalEntry("service.restart_scheduled", "web#0", new JsonObject { ["delay_ms"] = 400, ["restart"] = 3, ["recent_restarts"] = 3, ["reason"] = "exit 1", ["at_ms"] = 11 }));
            await journal.AppendAsync(new JournalEntry("service.started", "db#0", new JsonObject { ["pid"] = 77, ["at_ms"] = 12 }));
            await journal.AppendAsync(new JournalEntry("supervisor.command", null, new JsonObject { ["action"] = "restart", ["service"] = "web", ["at_ms"] = 13 }));
        }

        var answer = await TcpHttp.SendAsync(Endpoint, TcpHttp.Request("GET", "/api/journal?service=web", Endpoint, Bearer));
        var unknown = await TcpHttp.SendAsync(Endpoint, TcpHttp.Request("GET", "/api/journal?service=nope", Endpoint, Bearer));

        Assert.Equal(200, answer.Status);
        using var document = JsonDocument.Parse(answer.Body);
        Assert.Equal(
            ["exited: exit 1", "restart 3 scheduled: exit 1, backoff 400 ms, 3 restarts recently", "operator: restart"],
            document.RootElement.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("text").GetString()));
        Assert.Equal(404, unknown.Status);
    }

    [Fact]
    public async Task The_page_and_its_assets_come_from_the_binary()
    {
        var page = await TcpHttp.SendAsync(Endpoint, TcpHttp.Request("GET", "/", Endpoint, Bearer));
        var script = await TcpHttp.SendAsync(Endpoint, TcpHttp.Request("GET", "/assets/page.js", Endpoint, Bearer));
        var style = await TcpHttp.SendAsync(Endpoint, TcpHttp.Request("GET", "/assets/page.css", Endpoint, Bearer));

        Assert.Contains("Content-Type: text/html", page.Head, StringComparison.Ordinal);
        Assert.DoesNotContain("{{csrf}}", page.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("http", page.Body.Replace("http-equiv", "", StringComparison.Ordinal), StringComparison.Ordinal); // no CDN, nothing off-site
        Assert.Contains("new EventSource('/api/events')", script.Body, StringComparison.Ordinal);
        Assert.Contains("prefers-color-scheme: dark", style.Body, StringComparison.Ordinal);
    }

    private static int CountEvents(string text) => text.Split("event: status\n").Length - 1;
}
