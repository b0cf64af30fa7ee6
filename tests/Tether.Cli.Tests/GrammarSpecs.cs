using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Tether.Cli.Tests.Infrastructure;
using Tether.Journaling;

namespace Tether.Cli.Tests;

/// <summary>Counts agree with their nouns, and a beat over UDP is reported as sent, never as received.</summary>
public sealed class GrammarSpecs
{
    [Theory]
    [InlineData(0, "segment", null, "0 segments")]
    [InlineData(1, "segment", null, "1 segment")]
    [InlineData(2, "check", null, "2 checks")]
    [InlineData(1, "entry", "entries", "1 entry")]
    [InlineData(12, "entry", "entries", "12 entries")]
    public void A_count_takes_the_singular_only_for_one(long count, string singular, string? plural, string expected)
    {
        Assert.Equal(expected, Counted.Of(count, singular, plural));
    }

    [Fact]
    public async Task Journal_prune_says_1_segment_not_1_segments()
    {
        using var temp = new TempDirectory();
        var directory = temp.Child("journal");
        var journal = await Journal.OpenAsync(directory, new JournalOptions { SegmentMaxBytes = 4096 });
        await using (journal)
        {
            for (var i = 0; i < 10; i++)
            {
                await journal.AppendAsync(new JournalEntry("p.record", data: new JsonObject { ["padding"] = new string('x', 1500) }));
            }
        }

        var segments = new JournalReader(directory).ListSegments().Count;
        Assert.True(segments > 3, $"expected several segments, got {segments}");

        var one = await Tool.RunAsync("journal", "prune", directory, "--max-segments", (segments - 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var toOne = await Tool.RunAsync("journal", "prune", directory, "--max-segments", "1");

        Assert.True(one.ExitCode == 0, one.ToString());
        Assert.Matches(@"^deleted 1 segment \(\d+ bytes\); kept \d+ segments \(\d+ bytes\)$", one.StdoutLines[^1]);
        Assert.True(toOne.ExitCode == 0, toOne.ToString());
        Assert.Matches(@"^deleted \d+ segments \(\d+ bytes\); kept 1 segment \(\d+ bytes\)$", toOne.StdoutLines[^1]);
    }

    [Fact]
    public async Task A_beat_to_a_unix_socket_nobody_listens_on_any_more_is_a_failure_not_a_send()
    {
        // A socket file whose socket is closed (a watcher that was killed): a send to it gets ECONNREFUSED. .NET removes
        // the file of a socket it bound when it closes it, so the file is moved aside first and stays.
        using var temp = new TempDirectory();
        var path = temp.Child("stale.sock");
        using (var stale = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified))
        {
            stale.Bind(new UnixDomainSocketEndPoint(temp.Child("bound.sock")));
            File.Move(temp.Child("bound.sock"), path);
        }

        var result = await Tool.RunAsync("beat", "--socket", path);

        Assert.True(File.Exists(path));
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal($"tether: beat: no watcher listening on {path}: start the watcher first, or check the path.", result.SingleErrorLine());
    }

    [Fact]
    public async Task Beats_over_UDP_to_a_closed_port_are_reported_as_sent_never_as_reaching_a_watcher()
    {
        // A port nobody listens on: bound, then released. On loopback the kernel answers each datagram with an ICMP
        // "port unreachable" at once, which the next send reports: beats 2 and 4 fail, beat 3 goes out again.
        int port;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            port = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }

        var result = await Tool.RunAsync("beat", "--udp", $"127.0.0.1:{port}", "--count", "4", "--every", "100ms");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.DoesNotContain("reach the watcher", result.Stderr, StringComparison.Ordinal);
        Assert.Contains($"tether: beat: beats are sent to udp 127.0.0.1:{port} again (beat 3); over UDP tether cannot tell whether they reach a watcher.", result.StderrLines);
        Assert.Equal($"tether: beat: 2 of 4 beats were not sent; the last one: no watcher listening on udp 127.0.0.1:{port}.", result.StderrLines[^1]);
    }
}
