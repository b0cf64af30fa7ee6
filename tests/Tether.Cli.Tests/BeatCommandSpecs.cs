using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Tether.Cli.Tests.Infrastructure;
using Tether.Watch;

namespace Tether.Cli.Tests;

/// <summary><c>tether beat</c> against a real Unix datagram socket (or UDP on loopback) that stands in for the watcher.</summary>
public sealed class BeatCommandSpecs : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string SocketPath => _temp.Child("watch.sock");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Count_3_sends_three_frames_with_nonces_1_to_3_and_exits_0_silently()
    {
        using var watcher = Watcher.Unix(SocketPath);

        var result = await Tool.RunAsync("beat", "--socket", SocketPath, "--count", "3", "--every", "10ms");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(result.Stdout);
        Assert.Empty(result.Stderr);
        var frames = await watcher.TakeAsync(3);
        Assert.Equal([1UL, 2UL, 3UL], frames.Select(f => f.Nonce));
        Assert.All(frames, f => Assert.Equal((uint)Environment.ProcessId, f.Pid)); // in-process: tether's pid is ours
        Assert.All(frames, f => Assert.Equal(BeatStatus.Ok, f.Status));
        Assert.True(frames[0].Timestamp < frames[2].Timestamp);
    }

    [Fact]
    public async Task One_beat_by_default_with_the_status_and_payload_given()
    {
        using var watcher = Watcher.Unix(SocketPath);

        var result = await Tool.RunAsync("beat", "--socket", SocketPath, "--status", "Degraded", "--payload", "4294967295");

        Assert.True(result.ExitCode == 0, result.ToString());
        var frame = Assert.Single(await watcher.TakeAsync(1));
        Assert.Equal((BeatStatus.Degraded, uint.MaxValue, 1UL), (frame.Status, frame.Payload, frame.Nonce));
        await Task.Delay(100);
        Assert.Equal(0, watcher.Pending);
    }

    [Fact]
    public async Task Without_a_watcher_it_exits_1_with_one_line_saying_nobody_listens()
    {
        var result = await Tool.RunAsync("beat", "--socket", SocketPath, "--every", "10ms");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"no watcher listening on {SocketPath}", result.SingleErrorLine(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Beats_go_over_udp_with_udp_host_port()
    {
        using var watcher = Watcher.Udp();

        var result = await Tool.RunAsync("beat", "--udp", $"127.0.0.1:{watcher.Port}", "--count", "2", "--every", "10ms", "--status", "critical");

        Assert.True(result.ExitCode == 0, result.ToString());
        var frames = await watcher.TakeAsync(2);
        Assert.Equal([1UL, 2UL], frames.Select(f => f.Nonce));
        Assert.All(frames, f => Assert.Equal(BeatStatus.Critical, f.Status));
    }

    [Fact]
    public async Task Every_alone_beats_until_interrupted_then_sends_the_terminal_frame_and_exits_130()
    {
        using var watcher = Watcher.Unix(SocketPath);
        using var interruption = new Interruption();
        var (run, console) = Tool.Start(["beat", "--socket", SocketPath, "--every", "20ms", "--payload", "9"], interruption);

        var beats = await watcher.TakeAsync(3);
        interruption.Request();
        var exitCode = await run.WaitAsync(Tool.Hang);

        Assert.True(exitCode == 130, console.Stderr);
        Assert.Equal([1UL, 2UL, 3UL], beats.Select(f => f.Nonce));
        await Tool.EventuallyAsync(() => watcher.Received.Any(f => f.IsTerminated), "the terminal frame arrives");
        var received = watcher.Received.ToList();
        Assert.True(received[^1].IsTerminated, "the terminal frame is the last one");
        Assert.Equal(9u, received[^1].Payload);
        Assert.Empty(console.Stderr);
    }

    [Fact]
    public async Task A_watcher_that_goes_away_is_reported_and_the_beats_go_on()
    {
        var watcher = Watcher.Unix(SocketPath);
        using var interruption = new Interruption();
        var (run, console) = Tool.Start(["beat", "--socket", SocketPath, "--every", "20ms"], interruption);
        await watcher.TakeAsync(1);

        watcher.Dispose();
        await Tool.EventuallyAsync(() => console.Stderr.Contains("still beating", StringComparison.Ordinal), "the loss is reported");
        using var restarted = Watcher.Unix(SocketPath);
        await restarted.TakeAsync(1);
        await Tool.EventuallyAsync(() => console.Stderr.Contains("again", StringComparison.Ordinal), "the return is reported");
        interruption.Request();

        Assert.Equal(130, await run.WaitAsync(Tool.Hang));
        var lines = console.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Matches($"^tether: beat: beat \\d+ was not sent: the watcher at {SocketPath} went away; still beating\\.$", lines[0]);
        Assert.Matches($"^tether: beat: beats reach the watcher at {SocketPath} again \\(beat \\d+\\)\\.$", lines[1]);
    }

    [Theory]
    [InlineData(new string[] { }, "no watcher given")]
    [InlineData(new[] { "--socket", "/tmp/w.sock", "--udp", "127.0.0.1:9000" }, "choose one")]
    [InlineData(new[] { "--socket", "" }, "--socket: the path is empty")]
    [InlineData(new[] { "--udp", "localhost" }, "--udp: 'localhost' is not HOST:PORT")]
    [InlineData(new[] { "--udp", "::1:9000" }, "is not HOST:PORT")]
    [InlineData(new[] { "--udp", "127.0.0.1:0" }, "is not HOST:PORT")]
    [InlineData(new[] { "--socket", "/tmp/w.sock", "--status", "stall" }, "--status: 'stall' is not a status")]
    [InlineData(new[] { "--socket", "/tmp/w.sock", "--count", "0" }, "--count: '0' is not a count")]
    [InlineData(new[] { "--socket", "/tmp/w.sock", "--every", "0s" }, "--every: '0s' is zero")]
    [InlineData(new[] { "--socket", "/tmp/w.sock", "--every", "5" }, "--every:")]
    [InlineData(new[] { "--socket", "/tmp/w.sock", "--payload", "-1" }, "--payload: '-1' is not a payload")]
    [InlineData(new[] { "--socket", "/tmp/w.sock", "--payload", "4294967296" }, "--payload:")]
    public async Task A_wrong_command_line_exits_2_with_one_line_saying_what_to_write(string[] options, string message)
    {
        var result = await Tool.RunAsync(["beat", .. options], stdin: null);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(message, result.SingleErrorLine(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_socket_path_too_long_for_a_unix_socket_is_a_usage_error()
    {
        var result = await Tool.RunAsync("beat", "--socket", "/tmp/" + new string('s', 120));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("107 bytes", result.SingleErrorLine(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Beat_help_shows_the_usage_every_option_the_exit_codes_and_examples()
    {
        var result = await Tool.RunAsync("beat", "--help");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("tether beat (--socket PATH | --udp HOST:PORT) [--every DURATION]", result.Stdout, StringComparison.Ordinal);
        foreach (var option in new[] { "--socket", "--udp", "--every", "--count", "--status", "--payload" })
        {
            Assert.Contains(option, result.Stdout, StringComparison.Ordinal);
        }

        Assert.Contains("Exit codes: 0 every beat was sent; 1 no watcher listening", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("Examples:", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("beat", (await Tool.RunAsync("--help")).Stdout, StringComparison.Ordinal);
    }

    /// <summary>A socket that stands in for the watcher: receives and decodes beats on a background thread.</summary>
    private sealed class Watcher : IDisposable
    {
        private readonly Socket _socket;
        private readonly ConcurrentQueue<Frame> _received = new();
        private readonly SemaphoreSlim _arrived = new(0);
        private readonly Thread _thread;
        private int _taken;
        private volatile bool _stopping;

        private Watcher(Socket socket)
        {
            _socket = socket;
            _socket.ReceiveTimeout = 50;
            _thread = new Thread(Receive) { IsBackground = true, Name = "watcher" };
            _thread.Start();
        }

        public int Port => ((IPEndPoint)_socket.LocalEndPoint!).Port;

        public IEnumerable<Frame> Received => _received;

        public int Pending => _received.Count - _taken;

        public static Watcher Unix(string path)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            socket.Bind(new UnixDomainSocketEndPoint(path)); // .NET removes the file when the socket is closed
            return new Watcher(socket);
        }

        public static Watcher Udp()
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            return new Watcher(socket);
        }

        /// <summary>The next <paramref name="count"/> frames not taken yet, waiting (generously) for them.</summary>
        public async Task<Frame[]> TakeAsync(int count)
        {
            for (var i = 0; i < count; i++)
            {
                Assert.True(await _arrived.WaitAsync(Tool.Hang), $"only {i} of {count} beats arrived");
            }

            var frames = _received.Skip(_taken).Take(count).ToArray();
            _taken += count;
            return frames;
        }

        public void Dispose()
        {
            _stopping = true;
            _thread.Join(Tool.Hang);
            _socket.Dispose();
            _arrived.Dispose();
        }

        private void Receive()
        {
            var buffer = new byte[256];
            while (!_stopping)
            {
                try
                {
                    var length = _socket.Receive(buffer);
                    _received.Enqueue(Frame.TryDecode(buffer.AsSpan(0, length), out var frame, out _) ? frame : default); // default: not a frame
                    _arrived.Release();
                }
                catch (SocketException ex) when (ex.SocketErrorCode == SocketError.TimedOut)
                {
                }
            }
        }
    }
}
