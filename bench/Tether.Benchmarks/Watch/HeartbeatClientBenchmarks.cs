using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using Tether.Watch;

namespace Tether.Benchmarks.Watch;

/// <summary>
/// What one <see cref="HeartbeatClient.Beat"/> costs, in time and allocations (issue 5: no allocation per beat), on
/// each path a beat can take: sent to a Unix socket whose receiver drains it on another thread, sent over UDP on
/// loopback, dropped because the watcher's queue is full, and dropped because no watcher listens (between two
/// connection attempts). One operation is one beat, a real <c>send(2)</c> except in the no-watcher case.
/// </summary>
/// <remarks>
/// Each case sets up its own sockets in a fresh temporary directory, removed in its cleanup, and prints how its beats
/// fared (<see cref="HeartbeatClient.Counters"/>) at the end: a draining receiver does not keep up with a sender in a
/// tight loop (Linux queues at most <c>net.unix.max_dgram_qlen</c> datagrams per socket, 10 by default), so that case
/// mixes sent beats with queue-full drops, and the counts say in which proportion.
/// </remarks>
[Config(typeof(ShortRunConfig))]
public class HeartbeatClientBenchmarks
{
    private string? _directory;
    private Socket? _receiver;
    private Thread? _drain;
    private volatile bool _stopping;
    private HeartbeatClient? _client;
    private uint _payload;

    private string SocketPath => Path.Combine(_directory!, "watch.sock");

    [GlobalSetup(Target = nameof(UnixDrained))]
    public void SetupUnixDrained()
    {
        BindUnix();
        _drain = new Thread(Drain) { IsBackground = true, Name = "beat receiver" };
        _drain.Start();
        _client = HeartbeatClient.ConnectUnix(SocketPath);
        Validation.Once(nameof(UnixDrained), () => ExpectFrame(_client.Beat(), BeatOutcome.Sent, default, "a beat to a draining Unix socket"));
    }

    [GlobalSetup(Target = nameof(Udp))]
    public void SetupUdp()
    {
        _directory = Directory.CreateTempSubdirectory("tether-beat-bench-").FullName;
        _receiver = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _receiver.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _client = HeartbeatClient.ConnectUdp((IPEndPoint)_receiver.LocalEndPoint!);

        // The receiver never reads: the kernel drops what does not fit in its buffer after the send succeeded.
        Validation.Once(nameof(Udp), () => ExpectFrame(_client.Beat(), BeatOutcome.Sent, default, "a beat over UDP"));
    }

    [GlobalSetup(Target = nameof(UnixQueueFull))]
    public void SetupUnixQueueFull()
    {
        BindUnix();
        _client = HeartbeatClient.ConnectUnix(SocketPath);
        BeatResult result;
        do
        {
            result = _client.Beat();
        }
        while (result.IsSent);

        Validation.Once(nameof(UnixQueueFull), () => Validation.Expect(result.Reason == BeatDropReason.QueueFull, "a beat to a full queue"));
    }

    [GlobalSetup(Target = nameof(NoWatcher))]
    public void SetupNoWatcher()
    {
        _directory = Directory.CreateTempSubdirectory("tether-beat-bench-").FullName;
        _client = HeartbeatClient.ConnectUnix(SocketPath, new FrozenClock());
        Validation.Once(nameof(NoWatcher), () => Validation.Expect(_client.Beat().Reason == BeatDropReason.NoWatcher, "a beat without a watcher"));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_client is not null)
        {
            Console.WriteLine($"// {_client}: {_client.Counters}");
            _client.Dispose();
            _client = null;
        }

        _stopping = true;
        _drain?.Join();
        _drain = null;
        _stopping = false;
        _receiver?.Dispose();
        _receiver = null;
        if (_directory is not null && Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }

        _directory = null;
    }

    [Benchmark(Description = "Beat: Unix socket, receiver draining")]
    public BeatResult UnixDrained() => _client!.Beat(BeatStatus.Ok, _payload++);

    [Benchmark(Description = "Beat: UDP loopback")]
    public BeatResult Udp() => _client!.Beat(BeatStatus.Ok, _payload++);

    [Benchmark(Description = "Beat: Unix socket, queue full (dropped)")]
    public BeatResult UnixQueueFull() => _client!.Beat(BeatStatus.Ok, _payload++);

    [Benchmark(Description = "Beat: no watcher (dropped, no connection attempt)")]
    public BeatResult NoWatcher() => _client!.Beat(BeatStatus.Ok, _payload++);

    private void BindUnix()
    {
        _directory = Directory.CreateTempSubdirectory("tether-beat-bench-").FullName;
        _receiver = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        _receiver.Bind(new UnixDomainSocketEndPoint(SocketPath));
    }

    private void ExpectFrame(BeatResult result, BeatOutcome outcome, BeatDropReason reason, string what)
    {
        Validation.Expect(result.Outcome == outcome && result.Reason == reason, what);
        if (_drain is null)
        {
            var buffer = new byte[Frame.Size];
            _receiver!.ReceiveTimeout = 10_000;
            Validation.Expect(_receiver.Receive(buffer) == Frame.Size && Frame.Decode(buffer).Nonce == result.Nonce, what + ", as received");
        }
    }

    private void Drain()
    {
        var buffer = new byte[64];
        _receiver!.ReceiveTimeout = 100;
        while (!_stopping)
        {
            try
            {
                _receiver.Receive(buffer);
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.TimedOut)
            {
            }
        }
    }

    /// <summary>A clock that stands still, so the no-watcher case never reaches its next connection attempt.</summary>
    private sealed class FrozenClock : TimeProvider
    {
        public override long GetTimestamp() => 0;
    }
}
