using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Tether.Watch;

/// <summary>
/// The systemd notify protocol for a watcher run as a <c>Type=notify</c> service: <c>READY=1</c> once it listens,
/// <c>STOPPING=1</c> when it shuts down, <c>STATUS=…</c> when it likes, and <c>WATCHDOG=1</c> every half
/// <c>WATCHDOG_USEC</c> on a <see cref="TimeProvider"/> timer when systemd asks for a watchdog. Without
/// <c>NOTIFY_SOCKET</c> every method does nothing: running outside systemd is not an error.
/// </summary>
/// <remarks>
/// <para>The socket is a path (<c>/run/systemd/notify</c>) or, when it starts with <c>@</c>, an abstract socket name.
/// <c>WATCHDOG_PID</c>, when set, must be this process's pid for the watchdog to be ours (else no pings are sent).</para>
/// <para>A ping is sent only while the optional health check passes: give one that fails when the engine loop stopped
/// turning, and systemd restarts a wedged watcher instead of one whose timer thread still runs.</para>
/// </remarks>
public sealed class SystemdNotifier : IAsyncDisposable
{
    private readonly Socket? _socket;
    private readonly UnixDomainSocketEndPoint? _address;
    private readonly Func<bool>? _isHealthy;
    private readonly ITimer? _watchdog;
    private readonly Lock _gate = new();
    private long _watchdogPings;
    private long _watchdogFailures;
    private bool _disposed;

    private SystemdNotifier(string? notifySocket, TimeSpan? watchdogInterval, Func<bool>? isHealthy, TimeProvider time)
    {
        if (string.IsNullOrEmpty(notifySocket))
        {
            return;
        }

        _address = Address(notifySocket);
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        _isHealthy = isHealthy;
        WatchdogInterval = watchdogInterval;
        if (watchdogInterval is { } interval)
        {
            _watchdog = time.CreateTimer(static state => ((SystemdNotifier)state!).Ping(), this, interval, interval);
        }
    }

    /// <summary>Whether notifications go anywhere (<c>NOTIFY_SOCKET</c> was set).</summary>
    public bool IsEnabled => _socket is not null;

    /// <summary>How often <c>WATCHDOG=1</c> is sent (half of <c>WATCHDOG_USEC</c>), or null when systemd asked for no watchdog for this process.</summary>
    public TimeSpan? WatchdogInterval { get; }

    /// <summary>Watchdog pings sent.</summary>
    public long WatchdogPings => Interlocked.Read(ref _watchdogPings);

    /// <summary>Watchdog pings not sent: the health check failed, or the send did (the socket is gone).</summary>
    public long WatchdogFailures => Interlocked.Read(ref _watchdogFailures);

    /// <summary>A notifier from this process's <c>NOTIFY_SOCKET</c>, <c>WATCHDOG_USEC</c> and <c>WATCHDOG_PID</c>.</summary>
    /// <inheritdoc cref="Create" path="/param[@name='isHealthy']"/>
    /// <inheritdoc cref="Create" path="/param[@name='time']"/>
    /// <inheritdoc cref="Create" path="/exception"/>
    public static SystemdNotifier FromEnvironment(Func<bool>? isHealthy = null, TimeProvider? time = null) =>
        Create(
            Environment.GetEnvironmentVariable("NOTIFY_SOCKET"),
            Environment.GetEnvironmentVariable("WATCHDOG_USEC"),
            Environment.GetEnvironmentVariable("WATCHDOG_PID"),
            isHealthy,
            time);

    /// <summary>A notifier from the values of the systemd variables (null or empty when unset).</summary>
    /// <param name="notifySocket">The value of <c>NOTIFY_SOCKET</c>: an absolute path, or <c>@name</c> for an abstract socket; null or empty turns notifications off.</param>
    /// <param name="watchdogUsec">The value of <c>WATCHDOG_USEC</c>: the watchdog timeout in microseconds; null, empty or 0 means no watchdog.</param>
    /// <param name="watchdogPid">The value of <c>WATCHDOG_PID</c>: when set, the watchdog is ours only if it is our pid.</param>
    /// <param name="isHealthy">When given, a watchdog ping is sent only while it returns true. Called on the timer's thread; it must not throw.</param>
    /// <param name="time">The clock of the watchdog timer [default: <see cref="TimeProvider.System"/>].</param>
    /// <exception cref="ArgumentException">A value is malformed: a socket that is neither a path nor <c>@name</c>, or a number that is not one.</exception>
    public static SystemdNotifier Create(string? notifySocket, string? watchdogUsec = null, string? watchdogPid = null, Func<bool>? isHealthy = null, TimeProvider? time = null)
    {
        if (!OperatingSystem.IsLinux() && !string.IsNullOrEmpty(notifySocket))
        {
            throw new PlatformNotSupportedException("The systemd notify protocol is implemented for Linux only.");
        }

        var interval = WatchdogPeriod(watchdogUsec, watchdogPid, Environment.ProcessId);
        return new SystemdNotifier(notifySocket, interval, isHealthy, time ?? TimeProvider.System);
    }

    /// <summary>Tells systemd the watcher is up (<c>READY=1</c>), with a status line when given.</summary>
    /// <returns>True when sent; false when notifications are off.</returns>
    /// <exception cref="IOException">The notification could not be sent (the socket is gone or refuses it).</exception>
    public bool Ready(string? status = null) => Send(status is null ? "READY=1" : "READY=1\nSTATUS=" + OneLine(status));

    /// <summary>Tells systemd the watcher is shutting down (<c>STOPPING=1</c>); watchdog pings stop.</summary>
    /// <inheritdoc cref="Ready" path="/returns"/>
    /// <inheritdoc cref="Ready" path="/exception"/>
    public bool Stopping()
    {
        _watchdog?.Dispose();
        return Send("STOPPING=1");
    }

    /// <summary>Sets the status line <c>systemctl status</c> shows (<c>STATUS=…</c>; newlines become spaces).</summary>
    /// <inheritdoc cref="Ready" path="/returns"/>
    /// <inheritdoc cref="Ready" path="/exception"/>
    public bool Status(string status)
    {
        ArgumentNullException.ThrowIfNull(status);
        return Send("STATUS=" + OneLine(status));
    }

    /// <summary>Stops the watchdog pings and closes the socket. Sends nothing: call <see cref="Stopping"/> first.</summary>
    public ValueTask DisposeAsync()
    {
        _watchdog?.Dispose();
        lock (_gate)
        {
            _disposed = true;
            _socket?.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>The ping period for <c>WATCHDOG_USEC</c> and <c>WATCHDOG_PID</c>: half the timeout, or null for no watchdog.</summary>
    internal static TimeSpan? WatchdogPeriod(string? watchdogUsec, string? watchdogPid, int ourPid)
    {
        if (string.IsNullOrEmpty(watchdogUsec))
        {
            return null;
        }

        if (!ulong.TryParse(watchdogUsec, NumberStyles.None, CultureInfo.InvariantCulture, out var usec))
        {
            throw new ArgumentException($"WATCHDOG_USEC='{watchdogUsec}' is not a number of microseconds.", nameof(watchdogUsec));
        }

        if (!string.IsNullOrEmpty(watchdogPid))
        {
            if (!int.TryParse(watchdogPid, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                throw new ArgumentException($"WATCHDOG_PID='{watchdogPid}' is not a pid.", nameof(watchdogPid));
            }

            if (pid != ourPid)
            {
                return null; // the watchdog is another process's (we were started by it)
            }
        }

        if (usec == 0)
        {
            return null;
        }

        // Half the timeout, as sd_watchdog_enabled(3) advises; at least 1 µs, at most a day (a timer's range is finite).
        const ulong MaxMicroseconds = 86_400_000_000;
        return TimeSpan.FromTicks((long)Math.Clamp(usec / 2, 1, MaxMicroseconds) * TimeSpan.TicksPerMicrosecond);
    }

    private static UnixDomainSocketEndPoint Address(string notifySocket)
    {
        if (notifySocket[0] == '@' && notifySocket.Length > 1)
        {
            return new UnixDomainSocketEndPoint("\0" + notifySocket[1..]); // a leading NUL names an abstract socket
        }

        if (notifySocket[0] == '/')
        {
            return new UnixDomainSocketEndPoint(notifySocket);
        }

        throw new ArgumentException(
            $"NOTIFY_SOCKET='{notifySocket}' is neither an absolute path nor an abstract socket name (@name); other kinds (vsock) are not supported.",
            nameof(notifySocket));
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");

    private bool Send(string message)
    {
        if (_socket is null)
        {
            return false;
        }

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            try
            {
                _socket.SendTo(Encoding.UTF8.GetBytes(message), SocketFlags.None, _address!);
                return true;
            }
            catch (SocketException ex)
            {
                throw new IOException($"The systemd notification could not be sent to NOTIFY_SOCKET: {ex.Message}", ex);
            }
        }
    }

    private void Ping()
    {
        try
        {
            if ((_isHealthy?.Invoke() ?? true) && Send("WATCHDOG=1"))
            {
                Interlocked.Increment(ref _watchdogPings);
                return;
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // A timer has nobody to tell; the count below shows it, and systemd acts on the missing ping.
        }

        Interlocked.Increment(ref _watchdogFailures);
    }
}
