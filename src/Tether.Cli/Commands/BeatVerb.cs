using System.CommandLine;
using System.Globalization;
using System.Net.Sockets;
using Tether.Watch;

namespace Tether.Cli.Commands;

/// <summary>
/// <c>tether beat (--socket PATH | --udp HOST:PORT) [--every DURATION] [--count N] [--status STATUS] [--payload N]</c>:
/// sends VLP v0.2 heartbeats to a watcher, for shell scripts. One beat by default; <c>--count N</c> beats, or with
/// <c>--every</c> alone beats until interrupted, and then sends the terminal frame.
/// </summary>
internal sealed class BeatVerb : Verb
{
    private static readonly TimeSpan DefaultEvery = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest Unix socket path Linux takes (<c>sun_path</c> is 108 bytes with its terminating zero).</summary>
    private const int MaxSocketPathBytes = 107;

    private const string Usage = "(--socket PATH | --udp HOST:PORT) [--every DURATION] [--count N] [--status STATUS] [--payload N]";

    private const string Notes = """
        Each beat is one 32-byte VLP v0.2 datagram carrying the status, the payload, tether's own pid, the
        nanoseconds since tether started beating and a nonce counting from 1. Beats are sent without
        waiting: a watcher that does not keep up loses beats, it never slows the script.

        How many beats:
          (neither option)   one beat
          --count N          N beats, --every apart (500ms unless given)
          --every DURATION   a beat every DURATION until Ctrl+C, SIGTERM or SIGHUP; then tether sends the
                             terminal frame (critical status, all-ones nonce, the --payload), so the watcher
                             knows the beats stopped on purpose rather than stalled, and exits 130

        The beats carry tether's pid, so a watcher sees one agent per tether process: for a long script, run
        one 'tether beat --every' in the background for as long as the work lasts (see the examples) rather
        than one 'tether beat' per step.

        When the first beat finds no watcher, tether stops at once (exit 1). A watcher that goes away later
        is reported on stderr; tether keeps beating and reconnects (at most once a second) when it is back.
        Over UDP nobody answers a datagram, so "sent" means handed to the network, not received: a missing
        watcher shows only from the second beat on, as an ICMP "port unreachable", and not at all where
        ICMP is filtered.

        Exit codes: 0 every beat was sent; 1 no watcher listening, or a beat was not sent (the watcher's
        queue was full, it went away, or the system refused the send); 2 a usage error; 130 interrupted.

        Examples:
          tether beat --socket /run/tether/watch.sock
          tether beat --socket /run/tether/watch.sock --status degraded --payload 42
          tether beat --udp 127.0.0.1:9000 --count 5 --every 1s
          tether beat --socket /run/tether/watch.sock --every 1s & ./long-job.sh; kill $!

        """;

    private readonly Option<string> _socket = new("--socket")
    {
        HelpName = "PATH",
        Description = "The watcher's Unix datagram socket.",
    };

    private readonly Option<string> _udp = new("--udp")
    {
        HelpName = "HOST:PORT",
        Description = "Send over UDP instead, such as 127.0.0.1:9000 or [::1]:9000.",
    };

    private readonly Option<string> _every = new("--every")
    {
        HelpName = "DURATION",
        Description = "The time between beats, such as 500ms or 2s. Alone, beat until interrupted; with --count, the pace of the N beats [default: 500ms].",
    };

    private readonly Option<string> _count = new("--count")
    {
        HelpName = "N",
        Description = "How many beats to send [default: 1; unlimited with --every].",
    };

    private readonly Option<string> _status = new("--status")
    {
        HelpName = "STATUS",
        Description = "The health to report: ok, degraded or critical [default: ok].",
    };

    private readonly Option<string> _payload = new("--payload")
    {
        HelpName = "N",
        Description = "An application value carried by every beat, 0 to 4294967295, such as a queue depth [default: 0].",
    };

    public BeatVerb(VerbContext context)
        : base(context, "beat", "Send heartbeats to a watcher: once, N times, or every interval until interrupted.", Usage, Notes)
    {
        Add(_socket);
        Add(_udp);
        Add(_every);
        Add(_count);
        Add(_status);
        Add(_payload);
        SetAction((parse, _) => ExecuteAsync(Read(parse)));
    }

    /// <summary>Reads the command line; throws <see cref="UsageException"/> for anything wrong.</summary>
    private BeatRequest Read(ParseResult parse)
    {
        var socket = parse.GetValue(_socket);
        var udp = parse.GetValue(_udp);
        if (socket is null && udp is null)
        {
            throw new UsageException("beat: no watcher given: write --socket PATH (the watcher's Unix socket) or --udp HOST:PORT, as in 'tether beat --socket /run/tether/watch.sock'.");
        }

        if (socket is not null && udp is not null)
        {
            throw new UsageException("beat: --socket and --udp both given: choose one.");
        }

        if (socket is { Length: 0 })
        {
            throw new UsageException("--socket: the path is empty: give the path of the watcher's socket.");
        }

        if (socket is not null && System.Text.Encoding.UTF8.GetByteCount(socket) > MaxSocketPathBytes)
        {
            throw new UsageException($"--socket: the path is longer than the {MaxSocketPathBytes} bytes a Unix socket path may have: use a shorter path, such as one under /run or /tmp.");
        }

        var every = OptionValues.Wait("--every", parse.GetValue(_every), allowZero: false, "give a shorter interval, such as 1m");
        var count = Count(parse.GetValue(_count)) ?? (every is null ? 1 : null);
        var status = Status(parse.GetValue(_status));
        var payload = Payload(parse.GetValue(_payload));
        if (socket is not null)
        {
            return new BeatRequest(socket, Udp: false, () => HeartbeatClient.ConnectUnix(socket), every ?? DefaultEvery, count, status, payload);
        }

        var (host, port) = HostAndPort(udp!);
        return new BeatRequest("udp " + udp, Udp: true, () => HeartbeatClient.ConnectUdp(host, port), every ?? DefaultEvery, count, status, payload);
    }

    private async Task<int> ExecuteAsync(BeatRequest request)
    {
        HeartbeatClient client;
        try
        {
            client = request.Connect();
        }
        catch (SocketException ex)
        {
            return Fail($"beat: cannot find {request.Target}: {ex.Message}; check the host name.");
        }

        using (client)
        using (var timer = new PeriodicTimer(request.Every))
        {
            var stop = Interruption.StopRequested;
            long beats = 0;
            long notSent = 0;
            BeatResult? previous = null;
            try
            {
                while (request.Count is null || beats < request.Count)
                {
                    if (beats > 0)
                    {
                        await timer.WaitForNextTickAsync(stop).ConfigureAwait(false);
                    }

                    stop.ThrowIfCancellationRequested();
                    var result = client.Beat(request.Status, request.Payload);
                    beats++;
                    if (!result.IsSent)
                    {
                        notSent++;
                        if (beats == 1 && (result.Reason == BeatDropReason.NoWatcher || result.Outcome == BeatOutcome.Failed))
                        {
                            // Most likely a wrong path or a watcher not started yet: say so now rather than beat into the void.
                            return Fail(result.Reason == BeatDropReason.NoWatcher
                                ? $"beat: no watcher listening on {request.Target}: start the watcher first, or check the path."
                                : $"beat: the beat was not sent: {Describe(result, request.Target)}.");
                        }

                        if (request.Count != 1 && previous is not { IsSent: false })
                        {
                            Console.WriteError($"beat: beat {beats} was not sent: {Describe(result, request.Target)}; still beating.");
                        }
                    }
                    else if (previous is { IsSent: false })
                    {
                        // Over UDP a sent datagram proves nothing about the other end; over a Unix socket it sits in the watcher's queue.
                        Console.WriteError(request.Udp
                            ? $"beat: beats are sent to {request.Target} again (beat {beats}); over UDP tether cannot tell whether they reach a watcher."
                            : $"beat: beats reach the watcher at {request.Target} again (beat {beats}).");
                    }

                    previous = result;
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                if (beats > 0)
                {
                    client.SendTerminated(request.Payload);
                }

                return ExitCodes.Interrupted;
            }

            if (notSent == 0)
            {
                return ExitCodes.Success;
            }

            return Fail(beats == 1
                ? $"beat: the beat was not sent: {Describe(previous!.Value, request.Target)}."
                : $"beat: {notSent.ToString(CultureInfo.InvariantCulture)} of {Counted.Of(beats, "beat")} {Counted.WasOrWere(notSent)} not sent; the last one: {Describe(previous!.Value, request.Target)}.");
        }
    }

    private static string Describe(BeatResult result, string target) => result switch
    {
        { IsSent: true } => "sent",
        { Reason: BeatDropReason.QueueFull } => $"the watcher at {target} is not keeping up (its queue is full)",
        { Reason: BeatDropReason.NoWatcher } => $"no watcher listening on {target}",
        { Reason: BeatDropReason.PeerGone } => $"the watcher at {target} went away",
        _ => $"sending to {target} failed: {new SocketException((int)result.Error).Message}",
    };

    private static long? Count(string? text)
    {
        if (text is null)
        {
            return null;
        }

        if (!long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < 1)
        {
            throw new UsageException($"--count: '{text}' is not a count: write a whole number of beats from 1, such as 3; for no limit write --every alone.");
        }

        return count;
    }

    private static BeatStatus Status(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "ok" => BeatStatus.Ok,
        "degraded" => BeatStatus.Degraded,
        "critical" => BeatStatus.Critical,
        _ => throw new UsageException($"--status: '{text}' is not a status a heartbeat can carry: write ok, degraded or critical."),
    };

    private static uint Payload(string? text)
    {
        if (text is null)
        {
            return 0;
        }

        if (!uint.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var payload))
        {
            throw new UsageException($"--payload: '{text}' is not a payload: write a whole number from 0 to 4294967295, such as 42.");
        }

        return payload;
    }

    /// <summary>Splits <c>HOST:PORT</c> (or <c>[IPv6]:PORT</c>) at its last colon.</summary>
    private static (string Host, int Port) HostAndPort(string text)
    {
        var colon = text.LastIndexOf(':');
        var host = colon > 0 ? text[..colon] : "";
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }
        else if (host.Contains(':', StringComparison.Ordinal))
        {
            host = ""; // an IPv6 address without brackets: its port cannot be told from its last group
        }

        if (host.Length == 0
            || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            || port is < 1 or > 65535)
        {
            throw new UsageException($"--udp: '{text}' is not HOST:PORT: write a host and a port from 1 to 65535, such as 127.0.0.1:9000 or [::1]:9000.");
        }

        return (host, port);
    }

    /// <summary>What to beat, where (over UDP or a Unix socket), how often and how many times (null: until interrupted).</summary>
    private sealed record BeatRequest(string Target, bool Udp, Func<HeartbeatClient> Connect, TimeSpan Every, long? Count, BeatStatus Status, uint Payload);
}
