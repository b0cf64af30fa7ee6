using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace Tether.Supervisor.Tests.Control;

/// <summary>
/// The control API over its Unix socket, against a fake supervisor: every route answers as docs/api.md says, bad and
/// oversized requests get one clear error and change nothing, slow and surplus clients are bounded, and only the
/// supervisor's own user is served.
/// </summary>
public sealed class ControlServerSpecs : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tether-ctl-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly FakeSupervisorControl _control = new();
    private ControlServer? _server;

    private string Socket => ControlSocket.ForProject(_directory);

    private ControlServer Server => _server ?? throw new InvalidOperationException("not listening");

    private ControlClient Client => new(Socket);

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        _server = ControlServer.Listen(_control, Socket);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task The_client_reads_the_status_as_the_supervisor_reports_it()
    {
        var status = await Client.StatusAsync().Soon();

        Assert.Equal("/srv/app", status.ProjectDirectory);
        Assert.Equal(4100, status.Pid);
        Assert.Equal(FakeSupervisorControl.Started, status.StartedAt);
        Assert.Equal(_control.Instances, status.Instances);
        Assert.Equal(3, status.DroppedLogLines["web"]);
    }

    [Fact]
    public async Task The_status_document_has_uptimes_and_last_exits_in_words()
    {
        var answer = await RawHttp.SendAsync(Socket, "GET /api/status HTTP/1.1\r\nHost: localhost\r\n\r\n");

        Assert.Equal(200, answer.Status);
        Assert.Contains("Content-Type: application/json", answer.Head, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(answer.Body);
        var web = document.RootElement.GetProperty("instances")[1];
        Assert.Equal("web", web.GetProperty("service").GetString());
        Assert.Equal("running", web.GetProperty("state").GetString());
        Assert.Equal(7000, web.GetProperty("uptime_ms").GetDouble()); // 10 s up, started at 3 s
        Assert.Equal("exit 1", web.GetProperty("last_exit").GetProperty("text").GetString());
        var restarting = document.RootElement.GetProperty("instances")[2];
        Assert.Equal(JsonValueKind.Null, restarting.GetProperty("pid").ValueKind);
        Assert.Equal("SIGKILL", restarting.GetProperty("last_exit").GetProperty("signal").GetString());
    }

    [Fact]
    public async Task Curl_reads_the_status_over_the_socket()
    {
        var (exit, output) = await RunAsync("curl", "-sS", "--fail", "--unix-socket", Socket, "http://localhost/api/status");

        Assert.True(exit == 0, output);
        using var document = JsonDocument.Parse(output);
        Assert.Equal(3, document.RootElement.GetProperty("instances").GetArrayLength());
    }

    [Fact]
    public void The_socket_is_for_its_owner_only()
    {
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Socket));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(Socket)!));
    }

    [Fact]
    public async Task One_service_is_its_instances_and_an_unknown_one_is_not_found()
    {
        var web = await RawHttp.SendAsync(Socket, "GET /api/services/web HTTP/1.1\r\n\r\n");
        var nope = await RawHttp.SendAsync(Socket, "GET /api/services/nope HTTP/1.1\r\n\r\n");

        Assert.Equal(200, web.Status);
        using var document = JsonDocument.Parse(web.Body);
        Assert.Equal(2, document.RootElement.GetProperty("instances").GetArrayLength());
        Assert.Equal(404, nope.Status);
        Assert.Equal("not_found", nope.Error().Code);
        Assert.Contains("'nope'", nope.Error().Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_stop_restart_and_scale_reach_the_supervisor()
    {
        await Client.CommandAsync(OperatorAction.Start, "db").Soon();
        await Client.CommandAsync(OperatorAction.Stop, "db").Soon();
        await Client.CommandAsync(OperatorAction.Restart, "web").Soon();
        await Client.CommandAsync(OperatorAction.Scale, "web", 3).Soon();

        Assert.Equal([(OperatorAction.Start, "db", 0), (OperatorAction.Stop, "db", 0), (OperatorAction.Restart, "web", 0), (OperatorAction.Scale, "web", 3)], _control.Commands);
    }

    [Fact]
    public async Task A_command_for_an_unknown_service_is_not_found()
    {
        var error = await Assert.ThrowsAsync<ControlApiException>(() => Client.CommandAsync(OperatorAction.Restart, "nope")).Soon();

        Assert.Equal(404, error.Status);
        Assert.Equal("not_found", error.Code);
        Assert.Contains("nope", error.Message, StringComparison.Ordinal);
        Assert.Empty(_control.Commands);
    }

    [Theory]
    [InlineData("", "needs a body")]
    [InlineData("{\"replicas\": -1}", "from 0")]
    [InlineData("{\"replicas\": 1.5}", "from 0")]
    [InlineData("{\"replicas\": \"2\"}", "a number")]
    [InlineData("{\"replicas\": 2", "not valid JSON")]
    [InlineData("[2]", "JSON object")]
    public async Task Scale_refuses_a_body_it_cannot_use_and_changes_nothing(string body, string said)
    {
        var answer = await RawHttp.SendAsync(Socket, $"POST /api/services/web/scale HTTP/1.1\r\nContent-Length: {System.Text.Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}");

        Assert.Equal(400, answer.Status);
        Assert.Equal("bad_request", answer.Error().Code);
        Assert.Contains(said, answer.Error().Message, StringComparison.Ordinal);
        Assert.Empty(_control.Commands);
    }

    [Fact]
    public async Task A_reload_answers_what_changed()
    {
        var report = await Client.ReloadAsync().Soon();

        Assert.Equal(["cache"], report.Added);
        Assert.Equal(["web"], report.Restarted);
        Assert.Equal(["db"], report.Unchanged);
        Assert.Empty(report.Removed);
    }

    [Fact]
    public async Task A_reload_of_an_invalid_file_is_refused_with_the_position_of_the_error()
    {
        _control.Reload = () => throw new SupervisorCommandException("tether.yaml:3:5: unknown key 'comand' in service 'web' (did you mean 'command'?)");

        var error = await Assert.ThrowsAsync<ControlApiException>(() => Client.ReloadAsync()).Soon();

        Assert.Equal(422, error.Status);
        Assert.Equal("invalid_configuration", error.Code);
        Assert.StartsWith("tether.yaml:3:5: unknown key 'comand'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Down_starts_the_shutdown_gracefully_or_by_force()
    {
        await Client.DownAsync(force: false).Soon();
        await Client.DownAsync(force: true).Soon();
        var bare = await RawHttp.SendAsync(Socket, "POST /api/down HTTP/1.1\r\n\r\n");

        Assert.Equal(202, bare.Status);
        Assert.Equal([false, true, false], _control.Shutdowns);
    }

    [Theory]
    [InlineData("GET /api/nothing HTTP/1.1", 404, "not_found")]
    [InlineData("GET / HTTP/1.1", 404, "not_found")]
    [InlineData("GET /api/services/web/explode HTTP/1.1", 404, "not_found")]
    [InlineData("POST /api/status HTTP/1.1", 405, "method_not_allowed")]
    [InlineData("GET /api/down HTTP/1.1", 405, "method_not_allowed")]
    [InlineData("DELETE /api/services/web/restart HTTP/1.1", 405, "method_not_allowed")]
    [InlineData("GET /api/logs?lines=lots HTTP/1.1", 400, "bad_request")]
    [InlineData("GET /api/logs?lines=-3 HTTP/1.1", 400, "bad_request")]
    [InlineData("GET /api/logs?lines=100001 HTTP/1.1", 400, "bad_request")]
    [InlineData("GET /api/logs?service=nope HTTP/1.1", 404, "not_found")]
    [InlineData("HELLO", 400, "bad_request")]
    [InlineData("GET api/status HTTP/1.1", 400, "bad_request")]
    [InlineData("GET /api/status SPDY/3", 400, "bad_request")]
    public async Task A_request_it_cannot_serve_gets_one_error_object(string requestLine, int status, string code)
    {
        var answer = await RawHttp.SendAsync(Socket, requestLine + "\r\nHost: localhost\r\n\r\n");

        Assert.Equal(status, answer.Status);
        var (actualCode, message) = answer.Error();
        Assert.Equal(code, actualCode);
        Assert.False(string.IsNullOrWhiteSpace(message));
        Assert.DoesNotContain("\n", message, StringComparison.Ordinal);
        Assert.Empty(_control.Commands);
    }

    [Fact]
    public async Task A_huge_body_is_refused_before_it_is_read()
    {
        var answer = await RawHttp.SendAsync(Socket, "POST /api/services/web/scale HTTP/1.1\r\nContent-Length: 104857600\r\n\r\n{\"replicas\":");

        Assert.Equal(413, answer.Status);
        Assert.Equal("body_too_large", answer.Error().Code);
        Assert.Empty(_control.Commands);
        Assert.Equal(1, Server.RejectedRequests);
    }

    [Fact]
    public async Task Huge_headers_are_refused()
    {
        var answer = await RawHttp.SendAsync(Socket, "GET /api/status HTTP/1.1\r\nX-Filler: " + new string('a', 64 * 1024) + "\r\n\r\n");

        Assert.Equal(431, answer.Status);
        Assert.Equal("headers_too_large", answer.Error().Code);
    }

    [Fact]
    public async Task A_chunked_body_is_refused_with_what_to_send_instead()
    {
        var answer = await RawHttp.SendAsync(Socket, "POST /api/down HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");

        Assert.Equal(501, answer.Status);
        Assert.Contains("Content-Length", answer.Error().Message, StringComparison.Ordinal);
        Assert.Empty(_control.Shutdowns);
    }

    [Fact]
    public async Task A_client_that_sends_its_request_too_slowly_is_answered_408_and_dropped()
    {
        var clock = new FakeTimeProvider();
        await using var server = ControlServer.Listen(_control, Path.Combine(_directory, "slow.sock"), new ControlServerOptions { TimeProvider = clock, RequestTimeout = TimeSpan.FromSeconds(5) });
        using var socket = await RawHttp.ConnectAsync(server.SocketPath);
        await socket.SendAsync("GET /api/sta"u8.ToArray());

        // The server arms its timer once it has the connection; advancing before that would be lost.
        Assert.True(await Bounds.EventuallyAsync(() =>
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            return socket.Available > 0 || server.RejectedRequests > 0;
        }));
        var answer = await RawHttp.ReadAnswerAsync(socket);

        Assert.Equal(408, answer.Status);
        Assert.Equal("timeout", answer.Error().Code);
        Assert.Equal(1, server.RejectedRequests);
    }

    [Fact]
    public async Task A_client_beyond_the_connection_limit_is_answered_503_while_the_others_are_served()
    {
        await using var server = ControlServer.Listen(_control, Path.Combine(_directory, "small.sock"), new ControlServerOptions { MaxConnections = 1 });
        using var holder = await RawHttp.ConnectAsync(server.SocketPath);
        await holder.SendAsync("GET /api/logs?follow=1 HTTP/1.1\r\n\r\n"u8.ToArray());
        Assert.True(await Bounds.EventuallyAsync(() => _control.Followers == 1));

        var refused = await RawHttp.SendAsync(server.SocketPath, "GET /api/status HTTP/1.1\r\n\r\n");

        Assert.Equal(503, refused.Status);
        Assert.Equal("busy", refused.Error().Code);
        Assert.Equal(1, server.RefusedConnections);
        holder.Close();
        _control.Emit(new LogLine(FakeSupervisorControl.Started, new InstanceId("web", 0), LogStream.Stdout, "wakes the follower"));
        Assert.True(await Bounds.EventuallyAsync(() => _control.Followers == 0));
        Assert.Equal(200, (await RawHttp.SendAsync(server.SocketPath, "GET /api/status HTTP/1.1\r\n\r\n")).Status);
    }

    [Fact]
    public async Task Logs_are_the_last_lines_of_the_named_services_oldest_first()
    {
        for (var i = 0; i < 5; i++)
        {
            _control.Backlog.Add(Line("web", $"web line {i}"));
            _control.Backlog.Add(Line("db", $"db line {i}"));
        }

        var lines = await Client.LogsAsync(["web"], 3, follow: false).ToListAsync().AsTask().Soon();

        Assert.Equal(["web line 2", "web line 3", "web line 4"], lines.Select(l => l.Text));
        Assert.Equal(_control.Backlog[4], lines[0]);
    }

    [Fact]
    public async Task A_followed_log_streams_new_lines_and_ends_when_the_supervisor_stops()
    {
        _control.Backlog.Add(Line("web", "before"));
        var received = new List<LogLine>();
        var follow = Task.Run(async () =>
        {
            await foreach (var line in Client.LogsAsync(["web"], 10, follow: true))
            {
                lock (received)
                {
                    received.Add(line);
                }
            }
        });
        Assert.True(await Bounds.EventuallyAsync(() => _control.Followers == 1));

        _control.Emit(Line("db", "not followed"));
        _control.Emit(Line("web", "after"));
        Assert.True(await Bounds.EventuallyAsync(() => { lock (received) { return received.Count == 2; } }));
        await Server.DisposeAsync();
        await follow.Soon();

        Assert.Equal(["before", "after"], received.Select(l => l.Text));
    }

    [Fact]
    public async Task A_client_without_a_supervisor_is_told_none_runs()
    {
        var elsewhere = new ControlClient(Path.Combine(_directory, "none", "control.sock"));
        await Server.DisposeAsync();

        var missing = await Assert.ThrowsAsync<SupervisorNotRunningException>(() => elsewhere.StatusAsync()).Soon();
        var stale = await Assert.ThrowsAsync<SupervisorNotRunningException>(() => Client.StatusAsync()).Soon();

        Assert.Contains("tether up", missing.Message, StringComparison.Ordinal);
        Assert.Equal(Socket, stale.SocketPath);
    }

    [RootFact]
    public async Task Another_user_is_refused_even_when_the_socket_lets_it_connect()
    {
        // The 0600 socket in a 0700 directory already keeps other users out; open both so the peer check is what refuses.
        File.SetUnixFileMode(_directory, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(Path.GetDirectoryName(Socket)!, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(Socket, (UnixFileMode)0b110_110_110);

        // curl's connect as another user has been seen to fail now and then before reaching the server (exit 7,
        // "Couldn't connect", with every mode above in place); that is not the check this spec is about, so such an
        // attempt is made again — the server's verdict below stays exactly as strict.
        var (exit, output) = (0, "");
        var attempts = 0;
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            attempts = attempt;
            (exit, output) = await RunAsync("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "curl", "-sS", "--unix-socket", Socket, "-X", "POST", "http://localhost/api/down");
            if (exit != 7)
            {
                break;
            }

            await Task.Delay(200);
        }

        Assert.True(exit == 0, output + (await RunAsync("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "sh", "-c", "id; ls -ld / /tmp \"$0\" \"$0/.tether\" \"$0/.tether/control.sock\"; env | grep -i proxy", _directory)).Output);
        using var document = JsonDocument.Parse(output);
        Assert.Equal("forbidden", document.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Empty(_control.Shutdowns);
        // Each attempt that reached the server was refused; an attempt curl reported as "Couldn't connect" has been
        // seen to be counted too, so the count lies between one and the number of attempts — never a request served.
        Assert.InRange(Server.ForbiddenConnections, 1, attempts);
    }

    private static LogLine Line(string service, string text) =>
        new(FakeSupervisorControl.Started, new InstanceId(service, 0), LogStream.Stdout, text);

    private static async Task<(int Exit, string Output)> RunAsync(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        try
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().Soon();
            return (process.ExitCode, await output + await error);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
