using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Tether.Tests;

/// <summary>Readiness beyond output lines: ports, Unix sockets, HTTP and files, against real loopback listeners.</summary>
public sealed class ReadinessProbeSpecs
{
    private static readonly Command Idle = Shell.Command("exec sleep 600");

    [Fact]
    public async Task I_can_wait_for_a_port_that_starts_listening_later()
    {
        // Arrange
        await using var process = await ProcessRunner.Default.StartAsync(Idle);
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        // Act
        var waiting = process.WaitForPortAsync("127.0.0.1", port, Bounds.Eventually);
        await Task.Delay(300);
        Assert.False(waiting.IsCompleted);
        var late = new TcpListener(IPAddress.Loopback, port);
        late.Start();
        try
        {
            // Assert
            await waiting.Soon();
            Assert.False(process.HasExited);
        }
        finally
        {
            late.Stop();
        }
    }

    [Fact]
    public async Task A_port_that_never_opens_gives_NotReady_naming_it_and_the_process_keeps_running()
    {
        // Arrange
        var clock = VirtualClock.Create();
        await using var process = await new ProcessRunner(clock).StartAsync(Idle);
        var port = UnusedPort();

        // Act
        var waiting = process.WaitForPortAsync("127.0.0.1", port, TimeSpan.FromSeconds(5));
        var error = await Assert.ThrowsAsync<NotReadyException>(() => AdvanceUntilDoneAsync(clock, waiting));

        // Assert
        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
        Assert.Contains("still running", error.Message, StringComparison.Ordinal);
        Assert.Equal($"port 127.0.0.1:{port} to accept connections", error.WaitedFor);
        Assert.Null(error.ExitedWith);
        Assert.False(process.HasExited);
        Assert.True(ProcessTable.IsAlive(process.Pid));
    }

    [Fact]
    public async Task A_process_that_exits_while_waited_for_ends_the_wait_at_once_with_its_exit_code()
    {
        // Arrange: the timeout is a day; the program exits after a moment.
        await using var process = await ProcessRunner.Default.StartAsync(Shell.Command("sleep 0.2; exit 7"));

        // Act
        var error = await Assert.ThrowsAsync<NotReadyException>(() => process.WaitForPortAsync("127.0.0.1", UnusedPort(), TimeSpan.FromDays(1)).Soon());

        // Assert
        Assert.Contains("exited with code 7", error.Message, StringComparison.Ordinal);
        Assert.Equal(new Outcome.Exited(7), error.ExitedWith);
    }

    [Fact]
    public async Task I_can_wait_for_a_Unix_socket()
    {
        // Arrange
        var directory = Directory.CreateTempSubdirectory("tether-ready-");
        try
        {
            var path = Path.Combine(directory.FullName, "server.sock");
            await using var process = await ProcessRunner.Default.StartAsync(Idle);
            var waiting = process.WaitForUnixSocketAsync(path, Bounds.Eventually);
            await Task.Delay(200);
            Assert.False(waiting.IsCompleted);

            // Act
            using var server = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            server.Bind(new UnixDomainSocketEndPoint(path));
            server.Listen();

            // Assert
            await waiting.Soon();
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task I_can_wait_for_an_HTTP_endpoint_to_answer_2xx_and_a_wrong_status_is_not_ready()
    {
        // Arrange: a tiny server that answers 503 to the first two requests, then 204.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var url = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/health");
        using var stop = new CancellationTokenSource();
        var served = ServeAsync(listener, n => n < 2 ? "503 Service Unavailable" : "204 No Content", stop.Token);
        await using var process = await ProcessRunner.Default.StartAsync(Idle);

        // Act
        await process.WaitForHttpAsync(url, Bounds.Eventually).Soon();

        // Assert
        await stop.CancelAsync();
        Assert.True(await served >= 3);
    }

    [Fact]
    public async Task An_HTTP_endpoint_with_the_wrong_status_gives_NotReady_saying_what_it_answered()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var url = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/");
        using var stop = new CancellationTokenSource();
        var served = ServeAsync(listener, _ => "200 OK", stop.Token);
        var clock = VirtualClock.Create();
        await using var process = await new ProcessRunner(clock).StartAsync(Idle);

        var waiting = process.WaitForHttpAsync(url, TimeSpan.FromSeconds(3), expectStatus: 418);
        var error = await Assert.ThrowsAsync<NotReadyException>(() => AdvanceUntilDoneAsync(clock, waiting));

        await stop.CancelAsync();
        await served;
        Assert.Contains("to answer 418", error.Message, StringComparison.Ordinal);
        Assert.Contains("status 200", error.Message, StringComparison.Ordinal);
        Assert.True(ProcessTable.IsAlive(process.Pid));
    }

    [Fact]
    public async Task I_can_wait_for_a_file_the_program_creates()
    {
        var path = Path.Combine(Path.GetTempPath(), $"tether-ready-{Guid.NewGuid():N}");
        try
        {
            await using var process = await ProcessRunner.Default.StartAsync(
                new Command("/bin/sh").WithArguments("-c", "sleep 0.3; echo up > \"$0\"; exec sleep 600", path));

            await process.WaitForFileAsync(path, Bounds.Eventually).Soon();

            Assert.True(File.Exists(path));
            Assert.False(process.HasExited);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Cancelling_a_readiness_wait_leaves_the_process_running()
    {
        await using var process = await ProcessRunner.Default.StartAsync(Idle);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => process.WaitForFileAsync("/nonexistent/tether", Bounds.Eventually, cancellation.Token).Soon());

        Assert.False(process.HasExited);
    }

    /// <summary>
    /// A port nothing listens on, below the kernel's ephemeral range (32768–60999 here): a port from that range could be
    /// handed to another spec's listener while this one waits, or be a probe's own source port.
    /// </summary>
    private static int UnusedPort()
    {
        for (var port = Random.Shared.Next(20_000, 32_000); ; port = port == 32_000 ? 20_000 : port + 1)
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            try
            {
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // taken: try the next one
            }
            finally
            {
                listener.Stop();
            }
        }
    }

    /// <summary>Advances the virtual clock in small steps while the wait's real probes run, until it ends.</summary>
    private static async Task AdvanceUntilDoneAsync(FakeTimeProvider clock, Task waiting)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (!waiting.IsCompleted && TimeProvider.System.GetElapsedTime(started) < Bounds.Eventually)
        {
            clock.Advance(TimeSpan.FromMilliseconds(100));
            await Task.WhenAny(waiting, Task.Delay(10));
        }

        await waiting;
    }

    /// <summary>Answers each HTTP request with the status <paramref name="status"/> gives for its number; returns how many it served.</summary>
    private static async Task<int> ServeAsync(TcpListener listener, Func<int, string> status, CancellationToken cancellationToken)
    {
        var served = 0;
        try
        {
            while (true)
            {
                using var client = await listener.AcceptTcpClientAsync(cancellationToken);
                var stream = client.GetStream();
                var buffer = new byte[4096];
                var read = 0;
                while (!Encoding.ASCII.GetString(buffer, 0, read).Contains("\r\n\r\n", StringComparison.Ordinal) && read < buffer.Length)
                {
                    var n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken);
                    if (n == 0)
                    {
                        break;
                    }

                    read += n;
                }

                var answer = Encoding.ASCII.GetBytes($"HTTP/1.1 {status(served)}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                await stream.WriteAsync(answer, cancellationToken);
                served++;
            }
        }
        catch (OperationCanceledException)
        {
            return served;
        }
    }
}
