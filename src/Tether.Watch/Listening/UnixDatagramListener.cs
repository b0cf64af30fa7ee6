using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Channels;
using Tether.Interop;

namespace Tether.Watch;

/// <summary>
/// Receives heartbeats on a Unix datagram socket with the sender's kernel credentials (SO_PASSCRED): each datagram
/// comes with the pid and uid the kernel vouches for, whether that pid is in the watcher's PID namespace, and the start
/// time of the process the frame's pid names — read as the datagram arrives, before anyone else sees it.
/// </summary>
/// <remarks>
/// The socket file is created with <see cref="DefaultMode"/> (0600) unless told otherwise, and never through a symbolic
/// link. Anything already at the path is refused, except a stale socket nobody receives on, which is replaced.
/// Disposing removes the socket file — only while it is still the one this listener created. Linux only.
/// </remarks>
public sealed partial class UnixDatagramListener : IBeatListener
{
    /// <summary>Owner read and write (0600): the mode of the socket file unless told otherwise.</summary>
    public const UnixFileMode DefaultMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    // sizeof(sockaddr_un.sun_path) is 108, one of which is the terminating NUL.
    private const int MaxPathBytes = 107;

    private const UnixFileMode PermissionBits = (UnixFileMode)0x1FF;

    private readonly SafeSocketHandle _socket;
    private readonly StopEvent _wakeup;
    private readonly SocketFileIdentity _identity;
    private readonly DatagramQueue _queue;
    private readonly LiveProcessFacts _facts = new(); // the receive thread's only
    private readonly TimeProvider _clock;
    private readonly Task _loop;
    private int _disposed;

    private UnixDatagramListener(string path, UnixFileMode mode, SafeSocketHandle socket, StopEvent wakeup, SocketFileIdentity identity, BeatListenerOptions options)
    {
        Path = path;
        Mode = mode;
        _socket = socket;
        _wakeup = wakeup;
        _identity = identity;
        _queue = new DatagramQueue(options.QueueCapacity, options.Arrived);
        _clock = options.TimeProvider;

        // A dedicated thread: recvmsg is the only way to the credentials, and it waits in poll() for either a datagram
        // or the wake-up that disposal sends, so no thread pool thread is ever blocked.
        _loop = Task.Factory.StartNew(ReceiveLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>The full path of the socket file.</summary>
    public string Path { get; }

    /// <summary>The permission bits the socket file was created with.</summary>
    public UnixFileMode Mode { get; }

    /// <inheritdoc/>
    public string Endpoint => "unix:" + Path;

    /// <inheritdoc/>
    public ChannelReader<ReceivedDatagram> Datagrams => _queue.Reader;

    /// <inheritdoc/>
    public long Received => _queue.Received;

    /// <inheritdoc/>
    public long DroppedQueueFull => _queue.DroppedQueueFull;

    /// <summary>
    /// Creates the socket file at <paramref name="path"/> with <paramref name="mode"/>, asks the kernel for every
    /// sender's credentials, and starts receiving.
    /// </summary>
    /// <param name="path">Where to create the socket; a relative path is made full against the current directory.</param>
    /// <param name="mode">The socket file's permission bits (senders need write permission); only 0777 bits. The umask
    /// does not narrow it.</param>
    /// <param name="options">The queue capacity and the clock; defaults when null.</param>
    /// <exception cref="PlatformNotSupportedException">Not on Linux.</exception>
    /// <exception cref="ArgumentException">The path is empty, or the mode has bits beyond 0777.</exception>
    /// <exception cref="ListenerBindException">Something other than a stale socket is at the path (a live socket, a
    /// regular file, a directory, a symbolic link), the directory does not exist or is not writable, or the path is too
    /// long for a Unix socket. Whatever was at the path is left untouched.</exception>
    public static UnixDatagramListener Bind(string path, UnixFileMode mode = DefaultMode, BeatListenerOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException(
                "The Unix datagram listener receives kernel credentials (SCM_CREDENTIALS) through recvmsg, which is implemented and tested on Linux only.");
        }

        if ((mode & ~PermissionBits) != 0)
        {
            throw new ArgumentException($"The socket file's mode may hold permission bits (0777) only; got {Convert.ToString((int)mode, 8)}.", nameof(mode));
        }

        options ??= new BeatListenerOptions();
        options.Validate();

        var full = System.IO.Path.GetFullPath(path);
        var endpoint = "unix:" + full;
        var length = Encoding.UTF8.GetByteCount(full);
        if (length > MaxPathBytes)
        {
            throw new ListenerBindException(endpoint, $"the path is {length} bytes long and a Unix socket's path may have at most {MaxPathBytes}; choose a shorter path");
        }

        var directory = System.IO.Path.GetDirectoryName(full);
        if (directory is not null && !Directory.Exists(directory))
        {
            throw new ListenerBindException(endpoint, $"the directory '{directory}' does not exist; create it first");
        }

        UnixSocketFile.ClearStale(full, endpoint);

        var wakeup = StopEvent.Create(endpoint);
        SafeSocketHandle? socket = null;
        try
        {
            socket = CreateSocket(endpoint);
            var identity = UnixSocketFile.Bind(socket, full, mode, endpoint);
            return new UnixDatagramListener(full, mode, socket, wakeup, identity, options);
        }
        catch
        {
            // A failure after bind leaves the file behind only when it is no longer (or never provably was) ours.
            socket?.Dispose();
            wakeup.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Stops receiving, removes the socket file if it is still the one this listener created (a file that replaced it
    /// is left alone), and completes <see cref="Datagrams"/>: datagrams already queued can still be read.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _wakeup.Signal();
        await _loop.ConfigureAwait(false);
        _facts.Dispose();
        UnixSocketFile.RemoveIfOurs(Path, _identity);
        _socket.Dispose();
        _wakeup.Dispose();
        _queue.Complete();
    }

    /// <inheritdoc/>
    public override string ToString() => Endpoint;

    /// <summary>A close-on-exec Unix datagram socket that asks for every sender's credentials (SO_PASSCRED).</summary>
    private static unsafe SafeSocketHandle CreateSocket(string endpoint)
    {
        var fd = Libc.socket(Libc.AF_UNIX, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new ListenerBindException(endpoint, $"creating the socket failed ({Marshal.GetPInvokeErrorMessage(errno)})");
        }

        var socket = new SafeSocketHandle(fd, ownsHandle: true);
        var one = 1;
        if (Libc.setsockopt(fd, Libc.SOL_SOCKET, Libc.SO_PASSCRED, &one, sizeof(int)) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            socket.Dispose();
            throw new ListenerBindException(endpoint, $"asking for the senders' credentials (SO_PASSCRED) failed ({Marshal.GetPInvokeErrorMessage(errno)})");
        }

        return socket;
    }
}
