using System.Net;
using System.Net.Sockets;

namespace Tether.Watch;

/// <summary>
/// Sends VLP v0.2 heartbeats (docs/formats/vlp.md) to a watcher, over a Unix datagram socket or UDP. Every
/// <see cref="Beat"/> is one 32-byte datagram sent without waiting: it returns at once, sent or dropped with the
/// reason or failed, and allocates nothing.
/// </summary>
/// <remarks>
/// <para>
/// The frame's fields: the pid is <see cref="Environment.ProcessId"/>, read at every beat; the timestamp is the
/// nanoseconds elapsed on the client's <see cref="System.TimeProvider"/> since the client was created (monotonic, never
/// reset by a reconnection); the nonce starts at 1 and every beat takes the next one, whether it is sent or not. A
/// watcher only needs nonces to increase strictly, so the gaps a dropped beat leaves are harmless — and they tell the
/// watcher that beats were lost.
/// </para>
/// <para>
/// A watcher that is not there is not an error: creating a client never fails for that reason. Beats then return
/// <see cref="BeatDropReason.NoWatcher"/>, and the client tries to connect again on a later beat, at most once per
/// <see cref="ReconnectInterval"/> (connecting a datagram socket never waits). A watcher that goes away is reported as
/// <see cref="BeatDropReason.PeerGone"/> by the beat that finds out, and reconnected the same way, so a restarted watcher
/// receives the following beats.
/// </para>
/// <para>Thread-safe: beats from several threads are serialized, and their nonces follow the order they are sent in.</para>
/// </remarks>
public sealed class HeartbeatClient : IDisposable
{
    /// <summary>
    /// The least time between two connection attempts while no watcher is connected: a client that beats in a tight
    /// loop without a watcher makes one attempt per interval, not one per beat.
    /// </summary>
    public static readonly TimeSpan ReconnectInterval = TimeSpan.FromSeconds(1);

    private const long NanosecondsPerSecond = 1_000_000_000;

    private readonly Lock _gate = new();
    private readonly byte[] _buffer = new byte[Frame.Size]; // reused by every beat, under _gate
    private readonly bool _unix;
    private readonly long _origin;
    private Socket? _socket;
    private SocketError _connectError; // why _socket is null
    private long _lastAttempt;
    private ulong _nonce; // the last one taken
    private long _sent;
    private long _queueFull;
    private long _noWatcher;
    private long _peerGone;
    private long _failed;
    private bool _disposed;

    private HeartbeatClient(EndPoint endPoint, bool unix, TimeProvider? timeProvider)
    {
        EndPoint = endPoint;
        _unix = unix;
        TimeProvider = timeProvider ?? TimeProvider.System;
        _origin = TimeProvider.GetTimestamp();
        TryConnect(_origin);
    }

    /// <summary>Where the beats go: a <see cref="UnixDomainSocketEndPoint"/> or an <see cref="IPEndPoint"/>.</summary>
    public EndPoint EndPoint { get; }

    /// <summary>The clock of the frames' timestamps and of the reconnection interval.</summary>
    internal TimeProvider TimeProvider { get; }

    /// <summary>How many beats were sent and dropped so far, by reason.</summary>
    public HeartbeatCounters Counters
    {
        get
        {
            lock (_gate)
            {
                return new(_sent, _queueFull, _noWatcher, _peerGone, _failed);
            }
        }
    }

    /// <summary>
    /// Creates a client for the watcher's Unix datagram socket at <paramref name="socketPath"/>. Does not fail when
    /// nothing listens there yet: the beats say so (<see cref="BeatDropReason.NoWatcher"/>) until a watcher appears.
    /// </summary>
    /// <param name="socketPath">The path of the watcher's socket (at most 107 bytes, the limit of <c>sun_path</c>).</param>
    /// <param name="timeProvider">The clock of the timestamps and of reconnections; <see cref="System.TimeProvider.System"/> when null.</param>
    /// <exception cref="ArgumentException">The path is empty or too long for a Unix socket.</exception>
    public static HeartbeatClient ConnectUnix(string socketPath, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(socketPath);
        return new HeartbeatClient(new UnixDomainSocketEndPoint(socketPath), unix: true, timeProvider);
    }

    /// <summary>
    /// Creates a client that sends its beats over UDP to <paramref name="host"/>:<paramref name="port"/>. A host name is
    /// resolved once, here; of its addresses the first IPv4 one is used, else the first. Does not fail when nothing
    /// listens on the port.
    /// </summary>
    /// <param name="host">An IP address or a host name, such as <c>127.0.0.1</c> or <c>watcher.internal</c>.</param>
    /// <param name="port">The watcher's UDP port, 1 to 65535.</param>
    /// <param name="timeProvider">The clock of the timestamps; <see cref="System.TimeProvider.System"/> when null.</param>
    /// <exception cref="SocketException">The host name cannot be resolved.</exception>
    public static HeartbeatClient ConnectUdp(string host, int port, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        if (!IPAddress.TryParse(host, out var address))
        {
            var addresses = Dns.GetHostAddresses(host);
            if (addresses.Length == 0)
            {
                throw new SocketException((int)SocketError.HostNotFound);
            }

            address = Array.Find(addresses, a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses[0];
        }

        return ConnectUdp(new IPEndPoint(address, port), timeProvider);
    }

    /// <summary>Creates a client that sends its beats over UDP to <paramref name="endPoint"/>.</summary>
    /// <param name="endPoint">The watcher's address and UDP port.</param>
    /// <param name="timeProvider">The clock of the timestamps; <see cref="System.TimeProvider.System"/> when null.</param>
    public static HeartbeatClient ConnectUdp(IPEndPoint endPoint, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        ArgumentOutOfRangeException.ThrowIfZero(endPoint.Port);
        return new HeartbeatClient(endPoint, unix: false, timeProvider);
    }

    /// <summary>
    /// Sends one heartbeat with the next nonce. Never waits and never throws for a network condition: the result says
    /// whether the beat was sent, dropped (queue full, no watcher, watcher gone) or failed.
    /// </summary>
    /// <param name="status"><see cref="BeatStatus.Ok"/>, <see cref="BeatStatus.Degraded"/> or <see cref="BeatStatus.Critical"/>.</param>
    /// <param name="payload">An application value, such as a queue depth or a progress counter.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="status"/> is <see cref="BeatStatus.Stall"/> (the observer's own) or unknown.</exception>
    /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
    public BeatResult Beat(BeatStatus status = BeatStatus.Ok, uint payload = 0)
    {
        if (status is not (BeatStatus.Ok or BeatStatus.Degraded or BeatStatus.Critical))
        {
            throw new ArgumentOutOfRangeException(nameof(status), "A heartbeat's status is Ok, Degraded or Critical; Stall is the observer's own verdict.");
        }

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);

            // 2^64 - 1 beats are out of reach (585 years at one per nanosecond), so the all-ones nonce, which would
            // read as the terminal marker with a critical status, is never taken.
            var nonce = ++_nonce;
            return Send(new Frame(status, (uint)Environment.ProcessId, Timestamp(), nonce, payload));
        }
    }

    /// <summary>
    /// Sends the terminal frame (<see cref="Frame.Terminated"/>: critical, all-ones nonce), the agent's last word: the
    /// watcher forgets the agent instead of reporting it stalled. Does not take a nonce; later beats are still sent.
    /// </summary>
    /// <param name="payload">An application value, such as an exit code.</param>
    /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
    public BeatResult SendTerminated(uint payload = 0)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return Send(Frame.Terminated((uint)Environment.ProcessId, Timestamp(), payload));
        }
    }

    /// <summary>Closes the socket. Later beats throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _socket?.Dispose();
            _socket = null;
        }
    }

    /// <summary>A description of where the beats go, such as <c>unix:/run/tether/watch.sock</c> or <c>udp:127.0.0.1:9000</c>.</summary>
    public override string ToString() => (_unix ? "unix:" : "udp:") + EndPoint;

    /// <summary>Sends <paramref name="frame"/> under <see cref="_gate"/>: encodes it into the reused buffer, one non-blocking send.</summary>
    private BeatResult Send(in Frame frame)
    {
        if (_socket is null && !TryReconnect())
        {
            return Count(IsNoWatcher(_connectError)
                ? BeatResult.Dropped(BeatDropReason.NoWatcher, _connectError, frame.Nonce)
                : BeatResult.Failed(_connectError, frame.Nonce));
        }

        frame.Encode(_buffer);
        var sent = _socket!.Send((ReadOnlySpan<byte>)_buffer, SocketFlags.None, out var error);
        return Count(error switch
        {
            SocketError.Success when sent == Frame.Size => BeatResult.Sent(frame.Nonce),
            SocketError.Success => BeatResult.Failed(SocketError.MessageSize, frame.Nonce), // a datagram is never cut; here for honesty
            SocketError.WouldBlock or SocketError.NoBufferSpaceAvailable => BeatResult.Dropped(BeatDropReason.QueueFull, error, frame.Nonce),

            // Over UDP, ECONNREFUSED reports an ICMP "port unreachable" for an earlier datagram: nobody listens on the
            // port now. Whether somebody did before cannot be told, so it is NoWatcher; the socket stays usable.
            SocketError.ConnectionRefused when !_unix => BeatResult.Dropped(BeatDropReason.NoWatcher, error, frame.Nonce),

            // Over a Unix socket, ECONNREFUSED means the socket we were connected to was closed (the kernel then
            // disconnects ours; ENOTCONN follows if we sent again).
            SocketError.ConnectionRefused or SocketError.NotConnected or SocketError.ConnectionReset => Lost(error, frame.Nonce),
            _ => BeatResult.Failed(error, frame.Nonce),
        });
    }

    /// <summary>The watcher went away: drop the socket, so that a later beat connects again (to a restarted watcher).</summary>
    private BeatResult Lost(SocketError error, ulong nonce)
    {
        _socket!.Dispose();
        _socket = null;
        _connectError = SocketError.ConnectionRefused;
        return BeatResult.Dropped(BeatDropReason.PeerGone, error, nonce);
    }

    private BeatResult Count(BeatResult result)
    {
        switch (result)
        {
            case { Outcome: BeatOutcome.Sent }:
                _sent++;
                break;
            case { Reason: BeatDropReason.QueueFull }:
                _queueFull++;
                break;
            case { Reason: BeatDropReason.NoWatcher }:
                _noWatcher++;
                break;
            case { Reason: BeatDropReason.PeerGone }:
                _peerGone++;
                break;
            default:
                _failed++;
                break;
        }

        return result;
    }

    /// <summary>Connects again when the last attempt is at least <see cref="ReconnectInterval"/> old.</summary>
    private bool TryReconnect()
    {
        var now = TimeProvider.GetTimestamp();
        return TimeProvider.GetElapsedTime(_lastAttempt, now) >= ReconnectInterval && TryConnect(now);
    }

    private bool TryConnect(long now)
    {
        _lastAttempt = now;
        Socket? socket = null;
        try
        {
            socket = _unix
                ? new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified)
                : new Socket(EndPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);

            // connect(2) on a datagram socket only records the peer (and, for a Unix socket, checks it is bound):
            // it never waits, so it may run on a beat.
            socket.Connect(EndPoint);
            socket.Blocking = false;
            _socket = socket;
            return true;
        }
        catch (SocketException ex)
        {
            socket?.Dispose();
            _connectError = ex.SocketErrorCode;
            return false;
        }
    }

    /// <summary>
    /// Errors of connect(2) that mean nobody listens: ENOENT (no such path; .NET reports AddressNotAvailable) and
    /// ECONNREFUSED (a socket file nobody is bound to any more).
    /// </summary>
    private static bool IsNoWatcher(SocketError error) => error is SocketError.AddressNotAvailable or SocketError.ConnectionRefused;

    /// <summary>Nanoseconds since the client was created, on its clock.</summary>
    private ulong Timestamp()
    {
        var ticks = Math.Max(0, TimeProvider.GetTimestamp() - _origin);
        var frequency = TimeProvider.TimestampFrequency;
        return frequency == NanosecondsPerSecond ? (ulong)ticks : (ulong)((Int128)ticks * NanosecondsPerSecond / frequency);
    }
}
