using System.Net;
using System.Net.Sockets;
using Tether.Cli.Tests.Infrastructure;

namespace Tether.Cli.Tests;

/// <summary>--wait-port, --wait-socket, --wait-http and --wait-file: one line when ready; stop and exit 1 when not.</summary>
public sealed class RunReadinessFlagSpecs
{
    /// <summary>A TCP port nothing listens on right now: the kernel picks it for a listener we close at once.</summary>
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    [Fact]
    public async Task With_wait_port_tether_says_when_the_program_accepts_connections()
    {
        var port = FreePort();

        // Listens after a pause, serves the one connection the check makes, and ends.
        var result = await Tool.RunAsync("run", "--wait-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--", "python3", "-c",
            $"import socket, time\ntime.sleep(0.3)\ns = socket.socket()\ns.bind(('127.0.0.1', {port}))\ns.listen()\nc, _ = s.accept()\nc.close()\nprint('served')");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("served", result.Stdout.Trim());
        Assert.Equal($"tether: ready (port 127.0.0.1:{port}).", Assert.Single(result.StderrLines));
    }

    [Fact]
    public async Task With_wait_http_tether_says_when_the_url_answers()
    {
        var port = FreePort();
        using var directory = new TempDirectory();

        var result = await Tool.RunAsync("run", "--cwd", directory.Path, "--wait-http", $"http://127.0.0.1:{port}/", "--", "python3", "-c",
            $"import http.server as h\ns = h.HTTPServer(('127.0.0.1', {port}), h.SimpleHTTPRequestHandler)\ns.handle_request()");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"tether: ready (http http://127.0.0.1:{port}/).", result.StderrLines);
    }

    [Fact]
    public async Task With_wait_socket_tether_says_when_the_unix_socket_accepts_connections()
    {
        using var directory = new TempDirectory();
        var socket = directory.Child("app.sock");

        var result = await Tool.RunAsync("run", "--wait-socket", socket, "--", "python3", "-c",
            $"import socket, time\ntime.sleep(0.3)\ns = socket.socket(socket.AF_UNIX)\ns.bind('{socket}')\ns.listen()\nc, _ = s.accept()\nc.close()");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal($"tether: ready (socket {socket}).", Assert.Single(result.StderrLines));
    }

    [Fact]
    public async Task With_wait_file_tether_says_when_the_file_appears_and_the_run_goes_on()
    {
        using var directory = new TempDirectory();
        var file = directory.Child("ready");

        var result = await Tool.RunAsync("run", "--wait-file", file, "--", "/bin/sh", "-c", $"sleep 0.3; touch '{file}'; sleep 0.5; echo after; exit 3");

        Assert.Equal(3, result.ExitCode);
        Assert.Equal("after", result.Stdout.Trim());
        Assert.Equal($"tether: ready (file {file}).", Assert.Single(result.StderrLines));
    }

    [Fact]
    public async Task When_the_program_is_not_ready_in_time_tether_stops_the_tree_and_exits_1()
    {
        using var directory = new TempDirectory();

        // Were the tree not stopped, the run would outlast the spec's hang limit.
        var result = await Tool.RunAsync("run", "--json", "--wait-file", directory.Child("never"), "--wait-timeout", "500ms", "--", "sleep", "600");

        Assert.Equal(1, result.ExitCode);
        var line = result.SingleErrorLine();
        Assert.Contains("not ready", line, StringComparison.Ordinal);
        Assert.Contains("within 500ms", line, StringComparison.Ordinal);
        Assert.Contains("stopped", line, StringComparison.Ordinal);
        Assert.Equal("failed", result.Json().GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task When_the_program_ends_before_it_is_ready_tether_says_how_and_exits_1()
    {
        var port = FreePort();

        var result = await Tool.RunAsync("run", "--wait-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--", "/bin/sh", "-c", "exit 4");

        Assert.Equal(1, result.ExitCode);
        var line = result.SingleErrorLine();
        Assert.Contains("not ready", line, StringComparison.Ordinal);
        Assert.Contains("exited with code 4", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--wait-port", "0" }, "--wait-port: '0' is not a port")]
    [InlineData(new[] { "--wait-port", "localhost:" }, "--wait-port: 'localhost:' is not a port")]
    [InlineData(new[] { "--wait-port", "70000" }, "--wait-port: '70000' is not a port")]
    [InlineData(new[] { "--wait-http", "ftp://example.org/" }, "--wait-http: 'ftp://example.org/' is not an http or https URL")]
    [InlineData(new[] { "--wait-http", "health" }, "--wait-http: 'health' is not an http or https URL")]
    [InlineData(new[] { "--wait-file", "" }, "--wait-file: the path is empty")]
    [InlineData(new[] { "--wait-socket", "" }, "--wait-socket: the path is empty")]
    [InlineData(new[] { "--wait-file", "/tmp/x", "--wait-timeout", "soon" }, "--wait-timeout:")]
    [InlineData(new[] { "--wait-file", "/tmp/x", "--wait-timeout", "0s" }, "--wait-timeout: '0s' is zero")]
    [InlineData(new[] { "--wait-file", "/tmp/x", "--cassette", "/tmp/tether-no-such-cassette.json" }, "--cassette: a cassette may replay the run without running anything")]
    [InlineData(new[] { "--wait-timeout", "5s" }, "--wait-timeout: it says how long the --wait-* options wait, so it needs one of them")]
    public Task A_bad_value_is_one_line_and_exit_2_and_nothing_runs(string[] options, string message) =>
        RefusedRun.AssertUsageErrorAsync(options, message);
}
