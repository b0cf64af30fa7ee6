using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Tether.Interop;

namespace Tether.Watch;

/// <summary>
/// Receives heartbeats over UDP. Nothing vouches for a UDP sender, so every datagram is
/// <see cref="Origin.NetworkUnverified"/> — or <see cref="Origin.OperatorAttested"/> when the operator explicitly
/// trusts this listener (<c>--trust-udp</c>). The facts carry the sender's address as <see cref="OriginFacts.Peer"/>.
/// </summary>
/// <remarks>
/// No start time is read, not even for a trusted listener: a UDP sender may be on another host, or in another PID
/// namespace behind the same loopback (containers sharing a network namespace), so the frame's pid need not name the
/// local process of that number, and the engine would see a stranger's start time (and a false "pid reused") as that
/// stranger comes and goes.
/// <para/>Like the Unix listener, it receives on a thread of its own that sleeps in <c>poll</c> on the socket and a stop
/// event, then reads what waits with <c>recvmsg</c>: no thread-pool work per datagram.
/// </remarks>
public sealed partial class UdpListener : IBeatListener
{
    private readonly Socket _socket;
    private readonly StopEvent _stop;
    private readonly DatagramQueue _queue;
    private readonly TimeProvider _clock;
    private readonly Task _loop;
    private int _disposed;

    private UdpListener(Socket socket, StopEvent stop, bool trusted, BeatListenerOptions options)
    {
        _socket = socket;
        _stop = stop;
        Trusted = trusted;
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
        _queue = new DatagramQueue(options.QueueCapacity, options.Arrived);
        _clock = options.TimeProvider;
        _loop = Task.Factory.StartNew(ReceiveLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>The address and port this listener is bound to (the port the system chose when 0 was asked for).</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Whether the operator trusts this listener's senders: their beats are <see cref="Origin.OperatorAttested"/>.</summary>
    public bool Trusted { get; }

    /// <inheritdoc/>
    public string Endpoint => "udp:" + LocalEndPoint;

    /// <inheritdoc/>
    public ChannelReader<ReceivedDatagram> Datagrams => _queue.Reader;

    /// <inheritdoc/>
    public long Received => _queue.Received;

    /// <inheritdoc/>
    public long DroppedQueueFull => _queue.DroppedQueueFull;

    /// <summary>Binds a UDP socket to <paramref name="endPoint"/> (IPv4 or IPv6) and starts receiving.</summary>
    /// <param name="endPoint">The address and port; port 0 lets the system choose (see <see cref="LocalEndPoint"/>).</param>
    /// <param name="trusted">True when the operator explicitly trusts every sender that can reach this address.</param>
    /// <param name="options">The queue capacity and the clock; defaults when null.</param>
    /// <exception cref="PlatformNotSupportedException">Not on Linux.</exception>
    /// <exception cref="ListenerBindException">The address is in use, not local, or needs privileges.</exception>
    public static UdpListener Bind(IPEndPoint endPoint, bool trusted = false, BeatListenerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The watcher's listeners are implemented and tested on Linux only.");
        }

        options ??= new BeatListenerOptions();
        options.Validate();

        var socket = new Socket(endPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        WidenReceiveBuffer(socket);
        try
        {
            socket.Bind(endPoint);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new ListenerBindException("udp:" + endPoint, e.SocketErrorCode switch
            {
                SocketError.AddressAlreadyInUse => "the port is already in use (is another watcher running?); stop it or choose another port",
                SocketError.AddressNotAvailable => "the address is not one of this host's; give a local address",
                SocketError.AccessDenied => "permission denied; ports below 1024 need privileges",
                _ => $"bind failed ({e.Message})",
            }, e);
        }

        StopEvent stop;
        try
        {
            stop = StopEvent.Create("udp:" + endPoint);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new UdpListener(socket, stop, trusted, options);
    }

    /// <summary>
    /// Asks for a kernel receive buffer of <see cref="KernelReceiveBufferBytes"/>: a burst of beats (thousands of agents,
    /// or a watcher briefly descheduled) must wait in the kernel rather than be dropped there. The default (about
    /// 200 KiB) holds only a few hundred datagrams, because each costs the kernel far more than its 32 bytes. With
    /// CAP_NET_ADMIN the size is forced (SO_RCVBUFFORCE); otherwise the kernel caps it at net.core.rmem_max. Best effort:
    /// drops that still happen are the kernel's UDP RcvbufErrors.
    /// </summary>
    private static void WidenReceiveBuffer(Socket socket)
    {
        try
        {
            socket.SetRawSocketOption(Libc.SOL_SOCKET, Libc.SO_RCVBUFFORCE, BitConverter.GetBytes(KernelReceiveBufferBytes));
        }
        catch (SocketException)
        {
            try
            {
                socket.ReceiveBufferSize = KernelReceiveBufferBytes;
            }
            catch (SocketException)
            {
                // Keep the default: the listener works, it only absorbs smaller bursts.
            }
        }
    }

    /// <summary>The kernel receive buffer a UDP listener asks for: 8 MiB.</summary>
    internal const int KernelReceiveBufferBytes = 8 * 1024 * 1024;

    /// <summary>Stops receiving, closes the socket, and completes <see cref="Datagrams"/>: datagrams already queued can still be read.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stop.Signal();
        await _loop.ConfigureAwait(false);
        _socket.Dispose();
        _stop.Dispose();
        _queue.Complete();
    }

    /// <inheritdoc/>
    public override string ToString() => Endpoint;
}
