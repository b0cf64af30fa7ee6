using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Tether.Watch.Tests;

/// <summary>
/// The systemd notify protocol against a real Unix datagram socket standing in for systemd: READY, STATUS and STOPPING
/// when asked, WATCHDOG on the virtual clock at half the timeout, nothing at all outside systemd.
/// </summary>
public sealed class SystemdNotifierSpecs : IDisposable
{
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("tether-notify-specs-");
    private readonly FakeTimeProvider _clock = VirtualClock.Create();
    private readonly Socket _systemd = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);

    public SystemdNotifierSpecs()
    {
        SocketPath = Path.Combine(_temp.FullName, "notify");
        _systemd.Bind(new UnixDomainSocketEndPoint(SocketPath));
    }

    private string SocketPath { get; }

    private static string OurPid => Environment.ProcessId.ToString(CultureInfo.InvariantCulture);

    public void Dispose()
    {
        _systemd.Dispose();
        _temp.Delete(recursive: true);
    }

    [Fact]
    public async Task Without_NOTIFY_SOCKET_every_notification_is_a_quiet_no_op()
    {
        await using var notifier = SystemdNotifier.Create(notifySocket: null, watchdogUsec: "1000000", time: _clock);

        _clock.Advance(TimeSpan.FromSeconds(10));

        Assert.False(notifier.IsEnabled);
        Assert.False(notifier.Ready());
        Assert.False(notifier.Status("watching"));
        Assert.False(notifier.Stopping());
        Assert.Equal(0, notifier.WatchdogPings);
        Assert.Equal(0, _systemd.Available);
    }

    [Fact]
    public async Task Ready_status_and_stopping_reach_the_notify_socket()
    {
        await using var notifier = SystemdNotifier.Create(SocketPath, time: _clock);

        Assert.True(notifier.Ready("watching 3 agents"));
        Assert.Equal("READY=1\nSTATUS=watching 3 agents", await ReceiveAsync());
        Assert.True(notifier.Status("2 stalled\nof 3"));
        Assert.Equal("STATUS=2 stalled of 3", await ReceiveAsync());
        Assert.True(notifier.Stopping());
        Assert.Equal("STOPPING=1", await ReceiveAsync());
    }

    [Fact]
    public async Task An_at_sign_names_an_abstract_socket()
    {
        var name = "tether-notify-spec-" + Guid.NewGuid().ToString("N");
        using var abstractSystemd = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        abstractSystemd.Bind(new UnixDomainSocketEndPoint("\0" + name));
        await using var notifier = SystemdNotifier.Create("@" + name, time: _clock);

        notifier.Ready();

        Assert.Equal("READY=1", await ReceiveAsync(abstractSystemd));
    }

    [Fact]
    public async Task The_watchdog_is_pinged_at_half_of_WATCHDOG_USEC_on_the_clock()
    {
        await using var notifier = SystemdNotifier.Create(SocketPath, watchdogUsec: "10000000", watchdogPid: OurPid, time: _clock);

        _clock.Advance(TimeSpan.FromSeconds(4.9));
        var beforeHalf = _systemd.Available;
        _clock.Advance(TimeSpan.FromSeconds(0.1));
        var first = await ReceiveAsync();
        _clock.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(TimeSpan.FromSeconds(5), notifier.WatchdogInterval);
        Assert.Equal(0, beforeHalf);
        Assert.Equal("WATCHDOG=1", first);
        Assert.Equal("WATCHDOG=1", await ReceiveAsync());
        Assert.Equal("WATCHDOG=1", await ReceiveAsync());
        Assert.Equal(3, notifier.WatchdogPings);
    }

    [Fact]
    public async Task A_watchdog_meant_for_another_pid_is_not_ours_to_ping()
    {
        await using var notifier = SystemdNotifier.Create(SocketPath, watchdogUsec: "2000000", watchdogPid: "1", time: _clock);

        _clock.Advance(TimeSpan.FromSeconds(30));

        Assert.Null(notifier.WatchdogInterval);
        Assert.Equal(0, _systemd.Available);
    }

    [Fact]
    public async Task No_ping_is_sent_while_the_health_check_fails_and_stopping_ends_the_pings()
    {
        var healthy = false;
        await using var notifier = SystemdNotifier.Create(SocketPath, watchdogUsec: "2000000", isHealthy: () => healthy, time: _clock);

        _clock.Advance(TimeSpan.FromSeconds(3));
        var whileUnhealthy = _systemd.Available;
        healthy = true;
        _clock.Advance(TimeSpan.FromSeconds(1));
        var ping = await ReceiveAsync();
        notifier.Stopping();
        var stopping = await ReceiveAsync();
        _clock.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(0, whileUnhealthy);
        Assert.Equal(3, notifier.WatchdogFailures);
        Assert.Equal("WATCHDOG=1", ping);
        Assert.Equal("STOPPING=1", stopping);
        Assert.Equal(0, _systemd.Available);
        Assert.Equal(1, notifier.WatchdogPings);
    }

    [Theory]
    [InlineData("relative/notify", null)]
    [InlineData("vsock:2:1234", null)]
    [InlineData("/run/systemd/notify", "ten seconds")]
    [InlineData("/run/systemd/notify", "-5")]
    public void Malformed_values_are_refused_with_the_variable_named(string notifySocket, string? watchdogUsec)
    {
        var refused = Assert.Throws<ArgumentException>(() => SystemdNotifier.Create(notifySocket, watchdogUsec, time: _clock));

        Assert.Contains(watchdogUsec is null ? "NOTIFY_SOCKET" : "WATCHDOG_USEC", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_zero_or_missing_timeout_means_no_watchdog()
    {
        Assert.Null(SystemdNotifier.WatchdogPeriod(null, null, 42));
        Assert.Null(SystemdNotifier.WatchdogPeriod("0", null, 42));
        Assert.Equal(TimeSpan.FromMilliseconds(500), SystemdNotifier.WatchdogPeriod("1000000", "42", 42));
    }

    [Fact]
    public async Task A_notification_that_cannot_be_delivered_fails_loudly()
    {
        await using var notifier = SystemdNotifier.Create(Path.Combine(_temp.FullName, "nobody-listens"), time: _clock);

        var failed = Assert.Throws<IOException>(() => notifier.Ready());

        Assert.Contains("NOTIFY_SOCKET", failed.Message, StringComparison.Ordinal);
    }

    private Task<string> ReceiveAsync() => ReceiveAsync(_systemd);

    private static async Task<string> ReceiveAsync(Socket socket)
    {
        var buffer = new byte[4096];
        var length = await socket.ReceiveAsync(buffer, SocketFlags.None).Soon();
        return Encoding.UTF8.GetString(buffer, 0, length);
    }
}
