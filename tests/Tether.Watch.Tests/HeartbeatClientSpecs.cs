using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Tether.Watch.Tests;

/// <summary>
/// <see cref="HeartbeatClient"/> against real sockets: a Unix datagram socket bound in a temp directory (or a UDP socket
/// on loopback) receives the beats, and the specs decode what arrived.
/// </summary>
public sealed class HeartbeatClientSpecs : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tether-beat-").FullName;

    private string SocketPath => Path.Combine(_directory, "watch.sock");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Beats_arrive_as_vlp_frames_with_nonces_from_1_the_pid_of_this_process_and_a_clock_that_never_goes_back()
    {
        using var watcher = Receiver.BindUnix(SocketPath);
        using var client = HeartbeatClient.ConnectUnix(SocketPath);

        var results = new[] { client.Beat(), client.Beat(BeatStatus.Degraded, 7), client.Beat(BeatStatus.Critical, 42) };

        Assert.All(results, r => Assert.Equal(BeatOutcome.Sent, r.Outcome));
        var frames = new[] { watcher.Receive(), watcher.Receive(), watcher.Receive() };
        Assert.Equal([1UL, 2UL, 3UL], frames.Select(f => f.Nonce));
        Assert.Equal([1UL, 2UL, 3UL], results.Select(r => r.Nonce));
        Assert.All(frames, f => Assert.Equal((uint)Environment.ProcessId, f.Pid));
        Assert.Equal([BeatStatus.Ok, BeatStatus.Degraded, BeatStatus.Critical], frames.Select(f => f.Status));
        Assert.Equal([0u, 7u, 42u], frames.Select(f => f.Payload));
        Assert.True(frames[0].Timestamp <= frames[1].Timestamp && frames[1].Timestamp <= frames[2].Timestamp);
        Assert.Equal(new HeartbeatCounters(Sent: 3, 0, 0, 0, 0), client.Counters);
    }

    [Fact]
    public void The_timestamp_is_the_nanoseconds_since_connect_on_the_clients_clock()
    {
        var clock = VirtualClock.Create();
        clock.Advance(TimeSpan.FromHours(3)); // time before the connection does not count
        using var watcher = Receiver.BindUnix(SocketPath);
        using var client = HeartbeatClient.ConnectUnix(SocketPath, clock);

        client.Beat();
        clock.Advance(TimeSpan.FromMilliseconds(1.5));
        client.Beat();
        clock.Advance(TimeSpan.FromSeconds(2));
        client.Beat();

        Assert.Equal([0UL, 1_500_000UL, 2_001_500_000UL], new[] { watcher.Receive(), watcher.Receive(), watcher.Receive() }.Select(f => f.Timestamp));
    }

    [Fact]
    public void Without_a_watcher_connecting_does_not_fail_and_beats_are_dropped_as_no_watcher()
    {
        using var client = HeartbeatClient.ConnectUnix(SocketPath);

        var first = client.Beat();
        var second = client.Beat();

        Assert.Equal(new BeatResult(BeatOutcome.Dropped, BeatDropReason.NoWatcher, SocketError.AddressNotAvailable, 1), first); // ENOENT
        Assert.Equal(BeatDropReason.NoWatcher, second.Reason);
        Assert.Equal(2UL, second.Nonce);
        Assert.Equal(2, client.Counters.NoWatcher);
    }

    [Fact]
    public void A_socket_file_nobody_is_bound_to_any_more_is_no_watcher_too()
    {
        // .NET removes the file of a socket it bound when that socket is closed; a renamed one stays, as after a crash.
        var bound = Path.Combine(_directory, "bound.sock");
        using (Receiver.BindUnix(bound, deleteOnDispose: false))
        {
            File.Move(bound, SocketPath);
        }

        Assert.True(File.Exists(SocketPath));

        using var client = HeartbeatClient.ConnectUnix(SocketPath);

        var result = client.Beat();
        Assert.Equal(BeatDropReason.NoWatcher, result.Reason);
        Assert.Equal(SocketError.ConnectionRefused, result.Error);
    }

    [Fact]
    public void A_watcher_that_starts_later_gets_the_beats_after_the_next_reconnection_attempt()
    {
        var clock = VirtualClock.Create();
        using var client = HeartbeatClient.ConnectUnix(SocketPath, clock);
        Assert.Equal(BeatDropReason.NoWatcher, client.Beat().Reason);
        using var watcher = Receiver.BindUnix(SocketPath);

        // At most one connection attempt per interval: the beat right after is not tried.
        var tooSoon = client.Beat();
        clock.Advance(HeartbeatClient.ReconnectInterval);
        var later = client.Beat();

        Assert.Equal(BeatDropReason.NoWatcher, tooSoon.Reason);
        Assert.Equal(BeatOutcome.Sent, later.Outcome);
        var frame = watcher.Receive();
        Assert.Equal(3UL, frame.Nonce);
        Assert.Equal((ulong)HeartbeatClient.ReconnectInterval.TotalNanoseconds, frame.Timestamp);
    }

    [Fact]
    public void When_the_watcher_goes_away_the_next_beat_is_dropped_as_peer_gone_and_a_restarted_watcher_gets_the_later_ones()
    {
        var clock = VirtualClock.Create();
        var first = Receiver.BindUnix(SocketPath);
        using var client = HeartbeatClient.ConnectUnix(SocketPath, clock);
        Assert.True(client.Beat().IsSent);
        Assert.Equal(1UL, first.Receive().Nonce);

        first.Dispose();
        var gone = client.Beat();
        var stillGone = client.Beat();
        using var restarted = Receiver.BindUnix(SocketPath);
        clock.Advance(HeartbeatClient.ReconnectInterval);
        var back = client.Beat();

        Assert.Equal(BeatDropReason.PeerGone, gone.Reason);
        Assert.Equal(SocketError.ConnectionRefused, gone.Error);
        Assert.Equal(BeatDropReason.NoWatcher, stillGone.Reason);
        Assert.True(back.IsSent, back.ToString());
        Assert.Equal(4UL, restarted.Receive().Nonce);
        Assert.Equal(new HeartbeatCounters(Sent: 2, QueueFull: 0, NoWatcher: 1, PeerGone: 1, Failed: 0), client.Counters);
    }

    [Fact]
    public async Task A_watcher_that_does_not_read_fills_its_queue_and_further_beats_are_dropped_without_waiting()
    {
        var watcher = Receiver.BindUnix(SocketPath, receiveBuffer: 1024);
        using var client = HeartbeatClient.ConnectUnix(SocketPath);
        try
        {
            // On another thread, so that a beat that waited for room would fail the spec (after a generous bound)
            // instead of hanging the test run.
            var (result, more) = await Task.Run(() =>
            {
                var beats = 0;
                BeatResult result;
                do
                {
                    result = client.Beat();
                    beats++;
                }
                while (result.IsSent && beats < 100_000);

                return (result, Enumerable.Range(0, 1000).Select(_ => client.Beat()).ToList());
            }).Soon();

            Assert.Equal(BeatDropReason.QueueFull, result.Reason);
            Assert.Equal(SocketError.WouldBlock, result.Error);
            Assert.All(more, r => Assert.Equal(BeatDropReason.QueueFull, r.Reason));
            Assert.Equal(1001, client.Counters.QueueFull);

            // What was queued is intact and in order.
            Assert.Equal(1UL, watcher.Receive().Nonce);
            Assert.Equal(2UL, watcher.Receive().Nonce);
        }
        finally
        {
            watcher.Dispose(); // before the client: closing the watcher would wake a send that waits for room
        }
    }

    [Fact]
    public void Beats_reach_a_watcher_over_udp_by_address_or_host_name()
    {
        using var watcher = Receiver.BindUdp();
        using var byAddress = HeartbeatClient.ConnectUdp("127.0.0.1", watcher.Port);
        using var byName = HeartbeatClient.ConnectUdp("localhost", watcher.Port);

        Assert.True(byAddress.Beat(BeatStatus.Degraded, 5).IsSent);
        var first = watcher.Receive();
        Assert.True(byName.Beat().IsSent);
        var second = watcher.Receive();

        Assert.Equal(new Frame(BeatStatus.Degraded, (uint)Environment.ProcessId, first.Timestamp, 1, 5), first);
        Assert.Equal(1UL, second.Nonce);
        Assert.Equal("udp:127.0.0.1:" + watcher.Port, byAddress.ToString());
    }

    [Fact]
    public void Udp_beats_to_a_port_nobody_listens_on_are_dropped_as_no_watcher_once_the_port_unreachable_comes_back()
    {
        int port;
        using (var probe = Receiver.BindUdp())
        {
            port = probe.Port;
        }

        using var client = HeartbeatClient.ConnectUdp(IPAddress.Loopback.ToString(), port);

        // The first datagram leaves (UDP has no handshake); the kernel reports the ICMP answer on a later send.
        // Beat until the kernel has the ICMP answer (a generous bound: on a loaded machine it may take a while).
        var results = new List<BeatResult>();
        var deadline = DateTime.UtcNow + Bounds.Eventually;
        while (results.All(r => r.IsSent) && DateTime.UtcNow < deadline)
        {
            results.Add(client.Beat());
            Thread.Sleep(10);
        }

        Assert.Equal(BeatDropReason.NoWatcher, results[^1].Reason);
        Assert.Equal(SocketError.ConnectionRefused, results[^1].Error);
    }

    [Fact]
    public void A_beat_allocates_nothing_whether_it_is_sent_queued_full_or_finds_no_watcher()
    {
        // Sent: UDP to a socket that never reads (the kernel drops what does not fit, and the send still succeeds).
        using var udpWatcher = Receiver.BindUdp();
        using var udp = HeartbeatClient.ConnectUdp(new IPEndPoint(IPAddress.Loopback, udpWatcher.Port));

        // Sent and queue full: a Unix socket drained by another thread, which keeps up only part of the time.
        using var unixWatcher = Receiver.BindUnix(SocketPath);
        using var draining = unixWatcher.DrainInBackground();
        using var unix = HeartbeatClient.ConnectUnix(SocketPath);

        // No watcher, between two connection attempts (the clock stands still).
        using var absent = HeartbeatClient.ConnectUnix(Path.Combine(_directory, "absent.sock"), VirtualClock.Create());

        var beats = new Dictionary<HeartbeatClient, int>();
        foreach (var client in new[] { udp, unix, absent })
        {
            for (var i = 0; i < 200; i++)
            {
                client.Beat(); // warm up: JIT tiers, lazy statics
            }

            // Steady state, not warm-up: the runtime may finish a one-time step (a method moving up a JIT tier, seen
            // once in a CI run as 2,672 bytes over 1,000 UDP beats) on this thread during any round, so the spec asks
            // for one round of 1,000 beats that allocates nothing out of three. A beat that allocates fails every round.
            var rounds = new List<long>();
            for (var round = 0; round < 3 && (rounds.Count == 0 || rounds[^1] != 0); round++)
            {
                var before = GC.GetAllocatedBytesForCurrentThread();
                for (var i = 0; i < 1000; i++)
                {
                    client.Beat(BeatStatus.Degraded, (uint)i);
                }

                rounds.Add(GC.GetAllocatedBytesForCurrentThread() - before);
            }

            Assert.True(rounds[^1] == 0, $"{client}: {string.Join(", ", rounds)} bytes allocated by rounds of 1000 beats ({client.Counters})");
            beats[client] = 200 + (1000 * rounds.Count);
        }

        Assert.Equal(beats[udp], udp.Counters.Sent);
        Assert.True(unix.Counters.Sent > 0, unix.Counters.ToString());
        Assert.Equal(beats[absent], absent.Counters.NoWatcher);
    }

    [Fact]
    public async Task Beats_from_many_threads_get_distinct_nonces_and_arrive_in_nonce_order()
    {
        using var watcher = Receiver.BindUnix(SocketPath);
        using var draining = watcher.DrainInBackground();
        using var client = HeartbeatClient.ConnectUnix(SocketPath);
        var results = new ConcurrentBag<BeatResult>();

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 250; i++)
            {
                results.Add(client.Beat());
            }
        })));

        Assert.Equal(Enumerable.Range(1, 1000).Select(n => (ulong)n), results.Select(r => r.Nonce).Order());
        var sent = results.Where(r => r.IsSent).Select(r => r.Nonce).Order().ToList();
        Assert.True(await Bounds.EventuallyAsync(() => draining.Count >= sent.Count), $"{draining.Count} of {sent.Count} beats arrived");
        Assert.Equal(sent, draining.Frames.Select(f => f.Nonce)); // in the order they arrived
    }

    [Fact]
    public void The_terminal_frame_is_critical_with_the_all_ones_nonce_and_takes_no_nonce_from_the_beats()
    {
        using var watcher = Receiver.BindUnix(SocketPath);
        using var client = HeartbeatClient.ConnectUnix(SocketPath);

        client.Beat();
        var terminal = client.SendTerminated(payload: 3);
        client.Beat();

        Assert.True(terminal.IsSent);
        Assert.Equal(1UL, watcher.Receive().Nonce);
        var frame = watcher.Receive();
        Assert.True(frame.IsTerminated);
        Assert.Equal(3u, frame.Payload);
        Assert.Equal((uint)Environment.ProcessId, frame.Pid);
        Assert.Equal(2UL, watcher.Receive().Nonce);
    }

    [Fact]
    public void A_stall_status_is_refused_and_a_disposed_client_refuses_to_beat()
    {
        var client = HeartbeatClient.ConnectUnix(SocketPath);

        Assert.Throws<ArgumentOutOfRangeException>(() => client.Beat(BeatStatus.Stall));
        Assert.Throws<ArgumentOutOfRangeException>(() => client.Beat((BeatStatus)9));
        client.Dispose();
        Assert.Throws<ObjectDisposedException>(() => client.Beat());
        Assert.Throws<ObjectDisposedException>(() => client.SendTerminated());
    }

    /// <summary>A watcher's socket that only receives: Unix datagram in a temp directory, or UDP on loopback.</summary>
    internal sealed class Receiver : IDisposable
    {
        private readonly byte[] _buffer = new byte[256];
        private readonly string? _path;

        private Receiver(Socket socket, string? path)
        {
            Socket = socket;
            _path = path;
            Socket.ReceiveTimeout = (int)Bounds.Eventually.TotalMilliseconds;
        }

        public Socket Socket { get; }

        public int Port => ((IPEndPoint)Socket.LocalEndPoint!).Port;

        public static Receiver BindUnix(string path, int? receiveBuffer = null, bool deleteOnDispose = true)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            if (receiveBuffer is { } size)
            {
                socket.ReceiveBufferSize = size;
            }

            socket.Bind(new UnixDomainSocketEndPoint(path));
            return new Receiver(socket, deleteOnDispose ? path : null);
        }

        public static Receiver BindUdp()
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            return new Receiver(socket, null);
        }

        /// <summary>The next datagram, decoded; fails after <see cref="Bounds.Eventually"/>.</summary>
        public Frame Receive()
        {
            var length = Socket.Receive(_buffer);
            return Frame.Decode(_buffer.AsSpan(0, length));
        }

        /// <summary>True when no datagram is waiting (a send on the same thread has already queued its datagram).</summary>
        public bool IsEmpty => Socket.Available == 0;

        /// <summary>Receives on another thread until disposed.</summary>
        public Drain DrainInBackground() => new(this);

        public void Dispose()
        {
            Socket.Dispose();
            if (_path is not null)
            {
                File.Delete(_path);
            }
        }

        /// <summary>The frames a background thread received, in order (<c>default</c> for bytes that are not a frame).</summary>
        internal sealed class Drain : IDisposable
        {
            private readonly ConcurrentQueue<Frame> _frames = new();
            private readonly Receiver _receiver;
            private readonly Thread _thread;
            private volatile bool _stopping;

            public Drain(Receiver receiver)
            {
                _receiver = receiver;
                _receiver.Socket.ReceiveTimeout = 50;
                _thread = new Thread(Run) { IsBackground = true, Name = "beat receiver" };
                _thread.Start();
            }

            public int Count => _frames.Count;

            public IEnumerable<Frame> Frames => _frames;

            public void Dispose()
            {
                _stopping = true;
                _thread.Join(Bounds.Eventually);
            }

            private void Run()
            {
                var buffer = new byte[256];
                while (!_stopping)
                {
                    try
                    {
                        var length = _receiver.Socket.Receive(buffer);
                        _frames.Enqueue(Frame.TryDecode(buffer.AsSpan(0, length), out var frame, out _) ? frame : default);
                    }
                    catch (SocketException ex) when (ex.SocketErrorCode == SocketError.TimedOut)
                    {
                    }
                }
            }
        }
    }
}
