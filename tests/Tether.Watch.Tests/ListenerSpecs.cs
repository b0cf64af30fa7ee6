using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Tether.Watch.Tests;

public sealed class ListenerSpecs : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly string _directory = Directory.CreateTempSubdirectory("tether-listen-").FullName;

    private string SocketPath => Path.Combine(_directory, "watch.sock");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_datagram_from_this_process_arrives_kernel_attested_with_our_pid_uid_namespace_and_start_time()
    {
        await using var listener = UnixDatagramListener.Bind(SocketPath);

        SendUnix(SocketPath, FrameOf((uint)Environment.ProcessId));
        var datagram = await NextAsync(listener);

        Assert.Equal(Frame.Size, datagram.Length);
        Assert.Equal(FrameOf((uint)Environment.ProcessId), datagram.Bytes.ToArray());
        Assert.Equal(Origin.KernelAttested, datagram.Facts.Origin);
        Assert.Equal(Environment.ProcessId, datagram.Facts.SenderPid);
        Assert.Equal(CurrentUid(), datagram.Facts.SenderUid);
        Assert.True(datagram.Facts.SameNamespace);
        Assert.NotNull(datagram.Facts.StartTime);
        Assert.Equal(ProcessFacts.StartTime(Environment.ProcessId), datagram.Facts.StartTime);
        Assert.Null(datagram.Facts.Peer);
    }

    [Fact]
    public async Task The_kernel_names_the_real_sender_while_the_start_time_is_that_of_the_pid_the_frame_claims()
    {
        await using var other = await ProcessRunner.Default.StartAsync(Shell.Command("exec sleep 600"));
        await using var listener = UnixDatagramListener.Bind(SocketPath);

        SendUnix(SocketPath, FrameOf((uint)other.Pid));
        var datagram = await NextAsync(listener);

        Assert.Equal(Environment.ProcessId, datagram.Facts.SenderPid);
        Assert.NotNull(datagram.Facts.StartTime);
        Assert.Equal(ProcessFacts.StartTime(other.Pid), datagram.Facts.StartTime);
    }

    [Python3Fact]
    public async Task A_datagram_from_a_child_process_carries_the_childs_pid_in_its_credentials()
    {
        await using var listener = UnixDatagramListener.Bind(SocketPath);

        // The sender stays alive until the listener has read its facts: a sender that exited first left no /proc
        // entry to read its namespace from, and the spec raced with it.
        await using var sender = await ProcessRunner.Default.StartAsync(PythonSender.Command(PythonSender.SendOwnPidFrame, SocketPath));
        var childPid = int.Parse(await sender.WaitForLineAsync(_ => true, Bounds.Eventually), CultureInfo.InvariantCulture);
        var datagram = await NextAsync(listener);

        Assert.Equal(Origin.KernelAttested, datagram.Facts.Origin);
        Assert.Equal(childPid, datagram.Facts.SenderPid);
        Assert.NotEqual(Environment.ProcessId, childPid);
        Assert.Equal((uint)childPid, BinaryPrimitives.ReadUInt32LittleEndian(datagram.Bytes.Span[4..]));
        Assert.True(datagram.Facts.SameNamespace);
    }

    [OtherPidNamespaceFact]
    public async Task A_sender_in_another_pid_namespace_is_reported_as_outside_ours()
    {
        await using var listener = UnixDatagramListener.Bind(SocketPath);

        // Inside its own namespace the child is pid 1 and says so in its frame; the kernel gives us its real pid.
        var command = new Command("unshare").WithArguments([.. OtherPidNamespaceFactAttribute.UnshareArguments!, PythonSender.Path!, "-c", PythonSender.SendOwnPidFrame, SocketPath]);
        await using var sender = await ProcessRunner.Default.StartAsync(command);
        var pidInside = await sender.WaitForLineAsync(_ => true, Bounds.Eventually);
        var datagram = await NextAsync(listener);

        Assert.Equal("1", pidInside);
        Assert.Equal(Origin.KernelAttested, datagram.Facts.Origin);
        Assert.NotNull(datagram.Facts.SenderPid);
        Assert.NotEqual(1, datagram.Facts.SenderPid);
        Assert.NotEqual(Environment.ProcessId, datagram.Facts.SenderPid);
        Assert.False(datagram.Facts.SameNamespace);
    }

    [Fact]
    public async Task The_socket_file_is_created_owner_only()
    {
        await using var listener = UnixDatagramListener.Bind(SocketPath);

        Assert.Equal(OwnerOnly, File.GetUnixFileMode(SocketPath));
        Assert.Equal(OwnerOnly, listener.Mode);
        Assert.Equal("unix:" + SocketPath, listener.Endpoint);
    }

    [Fact]
    public async Task A_requested_mode_is_applied_even_where_the_umask_would_narrow_it()
    {
        const UnixFileMode ownerAndGroup = OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;

        // The usual umask 022 would take the group's write bit; the listener restores it.
        await using var listener = UnixDatagramListener.Bind(SocketPath, ownerAndGroup);

        Assert.Equal(ownerAndGroup, File.GetUnixFileMode(SocketPath));
    }

    [Fact]
    public void A_mode_beyond_the_permission_bits_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => UnixDatagramListener.Bind(SocketPath, OwnerOnly | UnixFileMode.SetUser));
        Assert.False(Path.Exists(SocketPath));
    }

    [Fact]
    public void A_regular_file_at_the_path_is_refused_and_left_untouched()
    {
        File.WriteAllText(SocketPath, "precious");

        var error = Assert.Throws<ListenerBindException>(() => UnixDatagramListener.Bind(SocketPath));

        Assert.Contains("regular file", error.Message, StringComparison.Ordinal);
        Assert.Equal("unix:" + SocketPath, error.Endpoint);
        Assert.Equal("precious", File.ReadAllText(SocketPath));
    }

    [Fact]
    public void A_directory_at_the_path_is_refused_and_left_untouched()
    {
        Directory.CreateDirectory(SocketPath);

        var error = Assert.Throws<ListenerBindException>(() => UnixDatagramListener.Bind(SocketPath));

        Assert.Contains("directory", error.Message, StringComparison.Ordinal);
        Assert.True(Directory.Exists(SocketPath));
    }

    [Fact]
    public void A_symbolic_link_at_the_path_is_refused_and_nothing_is_created_where_it_points()
    {
        var target = Path.Combine(_directory, "elsewhere.sock");
        File.CreateSymbolicLink(SocketPath, target);

        var error = Assert.Throws<ListenerBindException>(() => UnixDatagramListener.Bind(SocketPath));

        Assert.Contains("symbolic link", error.Message, StringComparison.Ordinal);
        Assert.Equal(target, new FileInfo(SocketPath).LinkTarget);
        Assert.False(Path.Exists(target));
    }

    [Fact]
    public void A_missing_directory_is_refused_with_the_directory_named()
    {
        var path = Path.Combine(_directory, "missing", "watch.sock");

        var error = Assert.Throws<ListenerBindException>(() => UnixDatagramListener.Bind(path));

        Assert.Contains(Path.Combine(_directory, "missing"), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stale_socket_is_replaced()
    {
        // A socket file nobody receives on, as a crashed watcher leaves behind. (A .NET Socket unlinks the path it bound
        // when disposed, so it binds elsewhere and the file is moved into place.)
        var elsewhere = Path.Combine(_directory, "previous.sock");
        using (var previous = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified))
        {
            previous.Bind(new UnixDomainSocketEndPoint(elsewhere));
            File.Move(elsewhere, SocketPath);
        }

        Assert.True(Path.Exists(SocketPath));

        await using var listener = UnixDatagramListener.Bind(SocketPath);
        SendUnix(SocketPath, FrameOf((uint)Environment.ProcessId));

        Assert.Equal(Origin.KernelAttested, (await NextAsync(listener)).Facts.Origin);
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(SocketPath));
    }

    [Fact]
    public async Task A_socket_another_listener_receives_on_is_refused_and_keeps_working()
    {
        await using var first = UnixDatagramListener.Bind(SocketPath);

        var error = Assert.Throws<ListenerBindException>(() => UnixDatagramListener.Bind(SocketPath));

        Assert.Contains("another process is receiving", error.Message, StringComparison.Ordinal);
        SendUnix(SocketPath, FrameOf((uint)Environment.ProcessId));
        Assert.Equal(Frame.Size, (await NextAsync(first)).Length);
    }

    [Fact]
    public async Task Disposing_removes_the_socket_file_and_completes_the_datagrams_after_the_queued_ones()
    {
        var listener = UnixDatagramListener.Bind(SocketPath);
        SendUnix(SocketPath, FrameOf((uint)Environment.ProcessId));
        Assert.True(await Bounds.EventuallyAsync(() => listener.Received == 1));

        await listener.DisposeAsync().AsTask().Soon();

        Assert.False(Path.Exists(SocketPath));
        Assert.True(listener.Datagrams.TryRead(out var queued));
        Assert.Equal(Frame.Size, queued.Length);
        await listener.Datagrams.Completion.Soon();
        await listener.DisposeAsync(); // a second dispose is harmless
    }

    [Fact]
    public async Task Disposing_leaves_alone_a_file_that_replaced_the_socket()
    {
        var listener = UnixDatagramListener.Bind(SocketPath);
        File.Delete(SocketPath);
        File.WriteAllText(SocketPath, "someone else's");

        await listener.DisposeAsync().AsTask().Soon();

        Assert.Equal("someone else's", File.ReadAllText(SocketPath));
    }

    [Fact]
    public async Task Disposing_leaves_alone_a_socket_that_replaced_ours()
    {
        var listener = UnixDatagramListener.Bind(SocketPath);
        File.Delete(SocketPath);
        await using var successor = UnixDatagramListener.Bind(SocketPath);

        await listener.DisposeAsync().AsTask().Soon();

        Assert.True(Path.Exists(SocketPath));
        SendUnix(SocketPath, FrameOf((uint)Environment.ProcessId));
        Assert.Equal(Frame.Size, (await NextAsync(successor)).Length);
    }

    [Fact]
    public async Task Oversized_short_and_empty_datagrams_are_delivered_with_their_true_length()
    {
        await using var listener = UnixDatagramListener.Bind(SocketPath);
        var oversized = new byte[100];
        FrameOf((uint)Environment.ProcessId).CopyTo(oversized, 0);

        SendUnix(SocketPath, oversized);
        SendUnix(SocketPath, [0x56, 0x41, 0x02, 0x00, 0x01]);
        SendUnix(SocketPath, []);
        var big = await NextAsync(listener);
        var small = await NextAsync(listener);
        var empty = await NextAsync(listener);

        Assert.Equal(100, big.Length);
        Assert.Equal(ReceivedDatagram.MaxKeptBytes, big.Bytes.Length);
        Assert.True(big.IsTruncated);
        Assert.Equal(oversized[..ReceivedDatagram.MaxKeptBytes], big.Bytes.ToArray());
        Assert.Equal(ProcessFacts.StartTime(Environment.ProcessId), big.Facts.StartTime);

        Assert.Equal(5, small.Length);
        Assert.Equal(new byte[] { 0x56, 0x41, 0x02, 0x00, 0x01 }, small.Bytes.ToArray());
        Assert.False(small.IsTruncated);
        Assert.Equal(Origin.KernelAttested, small.Facts.Origin);
        Assert.Equal(Environment.ProcessId, small.Facts.SenderPid);
        Assert.Null(small.Facts.StartTime); // too short to name a pid

        Assert.Equal(0, empty.Length);
        Assert.Equal(Environment.ProcessId, empty.Facts.SenderPid);
    }

    [Fact]
    public async Task When_the_queue_is_full_new_datagrams_are_dropped_and_counted()
    {
        await using var listener = UnixDatagramListener.Bind(SocketPath, options: new BeatListenerOptions { QueueCapacity = 2 });

        for (ulong nonce = 1; nonce <= 5; nonce++)
        {
            SendUnix(SocketPath, new Frame(BeatStatus.Ok, (uint)Environment.ProcessId, 1, nonce, 0).ToBytes());
        }

        Assert.True(await Bounds.EventuallyAsync(() => listener.Received == 5), $"received {listener.Received}");
        Assert.Equal(3, listener.DroppedQueueFull);
        Assert.Equal(1UL, Frame.Decode((await NextAsync(listener)).Bytes.Span).Nonce);
        Assert.Equal(2UL, Frame.Decode((await NextAsync(listener)).Bytes.Span).Nonce);
        Assert.False(listener.Datagrams.TryRead(out _));
    }

    [Fact]
    public async Task Each_datagram_is_stamped_by_the_listeners_clock()
    {
        var clock = VirtualClock.Create();
        clock.Advance(TimeSpan.FromSeconds(42));
        await using var listener = UnixDatagramListener.Bind(SocketPath, options: new BeatListenerOptions { TimeProvider = clock });

        SendUnix(SocketPath, FrameOf((uint)Environment.ProcessId));

        Assert.Equal(clock.GetTimestamp(), (await NextAsync(listener)).Timestamp);
    }

    [Fact]
    public async Task A_udp_datagram_arrives_network_unverified_with_the_peer_address()
    {
        await using var listener = UdpListener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        sender.Bind(new IPEndPoint(IPAddress.Loopback, 0));

        sender.SendTo(FrameOf((uint)Environment.ProcessId), listener.LocalEndPoint);
        var datagram = await NextAsync(listener);

        Assert.Equal(Origin.NetworkUnverified, datagram.Facts.Origin);
        Assert.Equal($"127.0.0.1:{((IPEndPoint)sender.LocalEndPoint!).Port}", datagram.Facts.Peer);
        Assert.Null(datagram.Facts.SenderPid);
        Assert.Null(datagram.Facts.SenderUid);
        Assert.Null(datagram.Facts.SameNamespace);
        Assert.Null(datagram.Facts.StartTime);
        Assert.Equal(FrameOf((uint)Environment.ProcessId), datagram.Bytes.ToArray());
        Assert.Equal($"udp:127.0.0.1:{listener.LocalEndPoint.Port}", listener.Endpoint);
    }

    [Fact]
    public async Task A_trusted_udp_listener_reports_its_datagrams_as_operator_attested()
    {
        await using var listener = UdpListener.Bind(new IPEndPoint(IPAddress.Loopback, 0), trusted: true);
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);

        sender.SendTo(FrameOf((uint)Environment.ProcessId), listener.LocalEndPoint);
        var datagram = await NextAsync(listener);

        Assert.Equal(Origin.OperatorAttested, datagram.Facts.Origin);
        Assert.StartsWith("127.0.0.1:", datagram.Facts.Peer, StringComparison.Ordinal);
        Assert.Null(datagram.Facts.StartTime);
    }

    [Fact]
    public async Task An_oversized_udp_datagram_is_delivered_with_its_true_length()
    {
        await using var listener = UdpListener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);

        sender.SendTo(new byte[1000], listener.LocalEndPoint);
        sender.SendTo(new byte[3], listener.LocalEndPoint);
        var big = await NextAsync(listener);
        var small = await NextAsync(listener);

        Assert.Equal(1000, big.Length);
        Assert.Equal(ReceivedDatagram.MaxKeptBytes, big.Bytes.Length);
        Assert.Equal(3, small.Length);
    }

    [Fact]
    public async Task An_ipv6_udp_listener_names_each_peer_by_its_own_address_and_port()
    {
        await using var listener = UdpListener.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        using var one = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
        one.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        using var other = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
        other.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));

        one.SendTo(FrameOf(1), listener.LocalEndPoint);
        var first = await NextAsync(listener);
        other.SendTo(FrameOf(2), listener.LocalEndPoint);
        var second = await NextAsync(listener);
        one.SendTo(FrameOf(3), listener.LocalEndPoint);
        var third = await NextAsync(listener);

        Assert.Equal($"[::1]:{((IPEndPoint)one.LocalEndPoint!).Port}", first.Facts.Peer);
        Assert.Equal($"[::1]:{((IPEndPoint)other.LocalEndPoint!).Port}", second.Facts.Peer);
        Assert.Equal(first.Facts.Peer, third.Facts.Peer);
        Assert.Equal($"udp:[::1]:{listener.LocalEndPoint.Port}", listener.Endpoint);
    }

    [Fact]
    public async Task A_udp_port_in_use_is_refused()
    {
        await using var first = UdpListener.Bind(new IPEndPoint(IPAddress.Loopback, 0));

        var error = Assert.Throws<ListenerBindException>(() => UdpListener.Bind(first.LocalEndPoint));

        Assert.Contains("in use", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Disposing_a_udp_listener_completes_its_datagrams()
    {
        var listener = UdpListener.Bind(new IPEndPoint(IPAddress.Loopback, 0));

        await listener.DisposeAsync().AsTask().Soon();

        await listener.Datagrams.Completion.Soon();
    }

    private static byte[] FrameOf(uint pid) => new Frame(BeatStatus.Ok, pid, Timestamp: 1, Nonce: 1, Payload: 0).ToBytes();

    private static void SendUnix(string path, byte[] bytes)
    {
        using var sender = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        sender.SendTo(bytes, new UnixDomainSocketEndPoint(path));
    }

    private static async Task<ReceivedDatagram> NextAsync(IBeatListener listener) => await listener.Datagrams.ReadAsync().AsTask().Soon();

    private static int CurrentUid()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal));
        return int.Parse(line.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }
}

/// <summary>python3, the one other program these specs drive: a sender that is not this process.</summary>
internal static class PythonSender
{
    /// <summary>Sends a frame (CRC left zero; the listener does not decode) naming its own pid, prints that pid, and
    /// stays alive (until killed) so that the listener can read its facts from /proc.</summary>
    public const string SendOwnPidFrame =
        "import os, socket, struct, sys, time\n" +
        "frame = struct.pack('<HBBIQQII', 0x4156, 2, 0, os.getpid(), 1, 1, 0, 0)\n" +
        "s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\n" +
        "s.sendto(frame, sys.argv[1])\n" +
        "print(os.getpid(), flush=True)\n" +
        "time.sleep(600)\n";

    /// <summary>python3 on PATH, or null.</summary>
    public static string? Path { get; } = (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Select(directory => System.IO.Path.Combine(directory, "python3"))
        .FirstOrDefault(File.Exists);

    public static Command Command(string script, params string[] arguments) => new Command(Path!).WithArguments(["-c", script, .. arguments]);
}

/// <summary>A fact that needs python3 to send from another process; skipped, with the reason, without it.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class Python3FactAttribute : FactAttribute
{
    public Python3FactAttribute()
    {
        if (PythonSender.Path is null)
        {
            Skip = "python3 is not on PATH; it sends datagrams from a child process.";
        }
    }
}

/// <summary>A fact that needs a child in another PID namespace (unshare(1), as root or through a user namespace) and python3.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class OtherPidNamespaceFactAttribute : FactAttribute
{
    private static readonly Lazy<(string[]? Arguments, string? Reason)> Probe = new(Find);

    public OtherPidNamespaceFactAttribute()
    {
        if (Probe.Value.Reason is { } reason)
        {
            Skip = $"Cannot start a process in another PID namespace here ({reason}).";
        }
    }

    internal static string[]? UnshareArguments => Probe.Value.Arguments;

    private static (string[]?, string?) Find()
    {
        if (PythonSender.Path is null)
        {
            return (null, "python3 is not on PATH");
        }

        string[][] candidates = [["--pid", "--fork"], ["--user", "--map-root-user", "--pid", "--fork"]];
        var failures = new List<string>();
        foreach (var arguments in candidates)
        {
            var start = new ProcessStartInfo("unshare") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var argument in arguments.Append("true"))
            {
                start.ArgumentList.Add(argument);
            }

            try
            {
                using var process = Process.Start(start)!;
                var error = process.StandardError.ReadToEnd();
                process.WaitForExit();
                if (process.ExitCode == 0)
                {
                    return (arguments, null);
                }

                failures.Add($"unshare {string.Join(' ', arguments)}: {error.Trim()}");
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                return (null, $"unshare: {e.Message}");
            }
        }

        return (null, string.Join("; ", failures));
    }
}
