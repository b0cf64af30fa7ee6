using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Tether.Cli.Telemetry;
using Tether.Watch;

namespace Tether.Cli.Commands;

/// <summary>
/// <c>tether watch (--socket PATH | --udp ADDR:PORT) [--threshold D] …</c>: receives heartbeats, reports stalls and runs the recovery command
/// for a stalled agent under the safety gates, auditing every decision; prints events until SIGINT or SIGTERM.
/// </summary>
internal sealed class WatchVerb : Verb
{
    private const string Usage = "(--socket PATH | --udp ADDR:PORT) [--threshold DURATION] [--recovery-exec \"PROGRAM ARGS {pid}\" | --recovery-exec-file FILE] [options]";

    private const string Notes = """
        Agents send 32-byte VLP v0.2 heartbeats (tether beat, or any VLP client) to the socket. An agent
        silent for --threshold is reported stalled, once per silence; its next beat re-arms it.

        Who is trusted:
          On the Unix socket the kernel tells tether each sender's pid: a beat whose pid is not its
          sender's is dropped as spoofed, and an agent in another PID namespace is refused unless
          --allow-cross-namespace. Beats over --udp are unverified: tracked and reported, but never
          recovered, unless --trust-udp says the network is yours.

        Recovery (exec only, never a shell):
          --recovery-exec is split into words as a shell would ("…" and '…' group words) but runs without
          one; {pid} in any word becomes the stalled agent's pid. --recovery-exec-file reads the command
          from a file that must be yours and not writable by group or others. At start-up tether checks
          that the program is at its path or on the recovery's PATH (--recovery-env PATH=…, else
          /usr/bin:/bin), executable and not world-writable, and refuses to start otherwise. Before a
          recovery runs, tether checks the agent is still silent and its pid still names the same
          process. It then refuses,
          and audits why: an agent recovered within --recovery-debounce, one whose recovery still runs,
          or too many running at once. The command runs contained: its whole tree is killed after
          --recovery-timeout, its output is capped (--capture-bytes; only sizes are audited), and its
          environment is only PATH=/usr/bin:/bin plus --recovery-env, unless --recovery-inherit-env.

        Records:
          --audit-file   a hash-chained log of boots, recoveries started, ended and refused
                         (check it with 'tether audit verify FILE')
          --export-file  every event as a tab-separated line, rotated by size
          --trace        every input of the engine, for 'tether trace replay|explain' (rotated at
                         --trace-max-size, keeping --trace-keep older files)
          --metrics      Prometheus text at http://ADDR:PORT/metrics (a non-loopback address needs
                         --metrics-token-file, and then a bearer token)
          With NOTIFY_SOCKET set (systemd Type=notify), tether reports READY, WATCHDOG and STOPPING.

        Output: one line per event (new agents, stalls, refusals, recoveries; every beat with
        --all-beats), or JSON lines with --json. SIGINT or SIGTERM stops gracefully: running recoveries get
        their grace, then are killed, and tether exits 0. Started in the background from a script
        ('tether watch … &'), tether inherits the shell's "ignore SIGINT" for background jobs, so
        kill -INT does nothing: stop it with SIGTERM ('kill PID').

        Exit codes: 0 stopped by a signal; 1 the socket, files or options could not be used; 2 usage.

        Examples:
          tether watch --socket /run/tether/watch.sock --threshold 10s
          tether watch --socket /run/tether/watch.sock --threshold 30s \
              --recovery-exec "systemctl restart worker@{pid}" --audit-file /var/log/tether/audit.tsv
          tether watch --udp 0.0.0.0:9000 --threshold 5s --json

        """;

    private readonly Option<string> _socket = new("--socket") { HelpName = "PATH", Description = "The Unix datagram socket to receive beats on (created owner-only, removed on exit if still ours)." };
    private readonly Option<string> _threshold = new("--threshold") { HelpName = "DURATION", Description = "How long an agent may be silent before it is stalled, such as 5s or 1m [default: 5s]." };
    private readonly Option<string> _udp = new("--udp") { HelpName = "ADDR:PORT", Description = "Also receive beats over UDP on this address, such as 127.0.0.1:9000 or [::]:9000." };
    private readonly Option<bool> _trustUdp = new("--trust-udp") { Description = "Treat UDP beats as operator-attested, so their agents may be recovered." };
    private readonly Option<bool> _allowCrossNamespace = new("--allow-cross-namespace") { Description = "Accept agents from other PID namespaces (tracked, and recovered, by their pid as seen here)." };
    private readonly Option<string> _recoveryExec = new("--recovery-exec") { HelpName = "COMMAND", Description = "The command to run for a stalled agent; {pid} becomes its pid. Split like a shell, never run by one." };
    private readonly Option<string> _recoveryExecFile = new("--recovery-exec-file") { HelpName = "FILE", Description = "Read the recovery command from FILE (yours, not group- or world-writable)." };
    private readonly Option<string> _recoveryDebounce = new("--recovery-debounce") { HelpName = "DURATION", Description = "No second recovery for the same process within this window [default: 60s]." };
    private readonly Option<string> _recoveryTimeout = new("--recovery-timeout") { HelpName = "DURATION", Description = "Kill a recovery's whole tree after this long [default: 30s]." };
    private readonly Option<string[]> _recoveryEnv = new("--recovery-env") { HelpName = "NAME=VALUE", Description = "An environment variable for the recovery command (repeatable)." };
    private readonly Option<bool> _recoveryInheritEnv = new("--recovery-inherit-env") { Description = "Give the recovery command tether's whole environment (plus --recovery-env)." };
    private readonly Option<string> _captureBytes = new("--capture-bytes") { HelpName = "N", Description = "Bytes of a recovery's stdout and stderr kept each (only their sizes are audited) [default: 65536]." };
    private readonly Option<string> _auditFile = new("--audit-file") { HelpName = "FILE", Description = "Write the hash-chained audit log here." };
    private readonly Option<string> _exportFile = new("--export-file") { HelpName = "FILE", Description = "Write every event here as a tab-separated line." };
    private readonly Option<string> _trace = new("--trace") { HelpName = "FILE", Description = "Record every input of the engine to this trace file (replay it with 'tether trace replay FILE')." };
    private readonly Option<string> _traceMaxSize = new("--trace-max-size") { HelpName = "SIZE", Description = "Rotate the trace when it would pass SIZE, such as 64M [default: 64M, at least 256K]." };
    private readonly Option<string> _traceKeep = new("--trace-keep") { HelpName = "N", Description = "Rotated trace files kept (FILE.1 … FILE.N), 0 to 100 [default: 3]." };
    private readonly Option<string> _metrics = new("--metrics") { HelpName = "ADDR:PORT", Description = "Serve Prometheus metrics at http://ADDR:PORT/metrics, such as 127.0.0.1:9100." };
    private readonly Option<string> _metricsTokenFile = new("--metrics-token-file") { HelpName = "FILE", Description = "A bearer token the metrics endpoint requires (needed for a non-loopback address)." };
    private readonly Option<string> _capacity = new("--capacity") { HelpName = "N", Description = $"How many agents are tracked at once, 1 to {WatchOptions.MaxCapacity} [default: 256]." };
    private readonly Option<bool> _allBeats = new("--all-beats") { Description = "Print every accepted beat, not only an agent's first." };
    private readonly Option<bool> _json;
    private readonly OtlpOption _otlp = new();

    public WatchVerb(VerbContext context)
        : base(context, "watch", "Watch heartbeats: report agents that stall and run a recovery command for them, safely and audited.", Usage, Notes)
    {
        Add(_socket);
        Add(_threshold);
        Add(_udp);
        Add(_trustUdp);
        Add(_allowCrossNamespace);
        Add(_recoveryExec);
        Add(_recoveryExecFile);
        Add(_recoveryDebounce);
        Add(_recoveryTimeout);
        Add(_recoveryEnv);
        Add(_recoveryInheritEnv);
        Add(_captureBytes);
        Add(_auditFile);
        Add(_exportFile);
        Add(_trace);
        Add(_traceMaxSize);
        Add(_traceKeep);
        Add(_metrics);
        Add(_metricsTokenFile);
        Add(_capacity);
        Add(_allBeats);
        _json = AddJsonOption("Print events as JSON lines.");
        Add(_otlp.Option);
        SetAction((parse, _) => _otlp.ExportWhileAsync(parse, "watch", () => ExecuteAsync(parse)));
    }

    private async Task<int> ExecuteAsync(ParseResult parse)
    {
        var (options, json, allBeats) = Read(parse);
        Watcher watcher;
        try
        {
            watcher = await Watcher.StartAsync(options, e => Print(e, json, allBeats)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or SocketException or ArgumentException or InvalidOperationException or AuditLogException)
        {
            // An ArgumentException names the library's parameter; the user knows the option, not the parameter.
            var message = ex is ArgumentException { ParamName: { } name } ? ex.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : ex.Message;
            return Fail($"watch: {message}");
        }
        catch (RecoveryProgramRefusedException ex)
        {
            var option = parse.GetValue(_recoveryExec) is not null ? "--recovery-exec" : "--recovery-exec-file";
            var message = ex.Refusal == RecoveryProgramRefusal.NotFound && !ex.Program.Contains('/', StringComparison.Ordinal)
                ? ex.Message.TrimEnd('.') + " (--recovery-env PATH=DIRS)."
                : ex.Message;
            return Fail($"watch: {option}: {message}");
        }

        await using (watcher.ConfigureAwait(false))
        {
            if (!json)
            {
                Console.WriteError($"watch: listening on {string.Join(", ", watcher.Endpoints)}; stall after {Durations.Format(options.Engine.Threshold)}{(options.Recovery is { } r ? $"; recovery: {r}" : "")}{(watcher.MetricsEndpoint is { } m ? $"; metrics on http://{m}/metrics" : "")}.");
            }

            try
            {
                await Task.WhenAny(watcher.Completion, Task.Delay(Timeout.Infinite, Interruption.StopRequested)).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            if (watcher.Completion.IsFaulted)
            {
                return Fail($"watch: stopped after an error: {watcher.Completion.Exception!.InnerException!.Message}");
            }
        }

        return ExitCodes.Success;
    }

    private void Print(WatchEvent e, bool json, bool allBeats)
    {
        if (!allBeats && e is WatchEvent.BeatAccepted { NewAgent: false } or WatchEvent.FreshnessCheckRequested)
        {
            return;
        }

        if (json)
        {
            WriteJson(writer => WatchEventFormat.WriteJson(writer, e, DateTimeOffset.UtcNow));
        }
        else
        {
            Console.Out.WriteLine(WatchEventFormat.Format(e));
        }

        Console.Out.Flush();
    }

    private (WatcherOptions Options, bool Json, bool AllBeats) Read(ParseResult parse)
    {
        var socket = parse.GetValue(_socket);
        var udpText = parse.GetValue(_udp);
        if (socket is null && udpText is null)
        {
            throw new UsageException("watch: nowhere to receive beats: give --socket PATH (and/or --udp ADDR:PORT), as in 'tether watch --socket /run/tether/watch.sock --threshold 10s'.");
        }

        if (socket is { Length: 0 })
        {
            throw new UsageException("--socket: the path is empty: give the path of the socket to create.");
        }

        var threshold = OptionValues.Duration("--threshold", parse.GetValue(_threshold), allowZero: false) ?? TimeSpan.FromSeconds(5);
        var exec = parse.GetValue(_recoveryExec);
        var execFile = parse.GetValue(_recoveryExecFile);
        if (exec is not null && execFile is not null)
        {
            throw new UsageException("watch: --recovery-exec and --recovery-exec-file both given: choose one.");
        }

        RecoveryCommand? recovery;
        try
        {
            recovery = exec is not null ? RecoveryCommand.Parse(exec) : execFile is not null ? RecoveryCommand.FromFile(execFile) : null;
        }
        catch (Exception ex) when (ex is FormatException or RecoveryFileRefusedException or IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{(exec is not null ? "--recovery-exec" : "--recovery-exec-file")}: {ex.Message}");
        }

        var recoveryOnly = new[] { (_recoveryDebounce.Name, parse.GetValue(_recoveryDebounce) is not null), (_recoveryTimeout.Name, parse.GetValue(_recoveryTimeout) is not null), (_recoveryEnv.Name, parse.GetValue(_recoveryEnv) is { Length: > 0 }), (_recoveryInheritEnv.Name, parse.GetValue(_recoveryInheritEnv)), (_captureBytes.Name, parse.GetValue(_captureBytes) is not null) };
        if (recovery is null && recoveryOnly.FirstOrDefault(o => o.Item2).Name is { } orphan)
        {
            throw new UsageException($"{orphan}: it configures recovery, so it needs --recovery-exec or --recovery-exec-file as well.");
        }

        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var assignment in parse.GetValue(_recoveryEnv) ?? [])
        {
            var (name, value) = OptionValues.Assignment("--recovery-env", assignment);
            environment[name] = value;
        }

        var recoveryOptions = new RecoveryOptions
        {
            Timeout = OptionValues.Wait("--recovery-timeout", parse.GetValue(_recoveryTimeout), allowZero: false, "give a shorter one, such as 5m") ?? RecoveryOptions.DefaultTimeout,
            CaptureBytes = Number("--capture-bytes", parse.GetValue(_captureBytes), 1, 64L * 1024 * 1024) ?? RecoveryOptions.DefaultCaptureBytes,
            Environment = environment,
            InheritEnvironment = parse.GetValue(_recoveryInheritEnv),
        };
        var engine = new WatchOptions
        {
            Threshold = threshold,
            Capacity = (int)(Number("--capacity", parse.GetValue(_capacity), 1, WatchOptions.MaxCapacity) ?? 256),
            AllowCrossNamespace = parse.GetValue(_allowCrossNamespace),
            RecoveryDebounce = OptionValues.Duration("--recovery-debounce", parse.GetValue(_recoveryDebounce), allowZero: true) ?? TimeSpan.FromSeconds(60),
        };
        var metricsToken = parse.GetValue(_metricsTokenFile);
        var metrics = Endpoint("--metrics", parse.GetValue(_metrics));
        if (metricsToken is not null && metrics is null)
        {
            throw new UsageException("--metrics-token-file: it protects the metrics endpoint, so it needs --metrics ADDR:PORT as well.");
        }

        var trace = parse.GetValue(_trace);
        if (trace is null && (parse.GetValue(_traceMaxSize) is not null || parse.GetValue(_traceKeep) is not null))
        {
            throw new UsageException($"{(parse.GetValue(_traceMaxSize) is not null ? "--trace-max-size" : "--trace-keep")}: it configures the trace, so it needs --trace FILE as well.");
        }

        if (trace is { Length: 0 })
        {
            throw new UsageException("--trace: the path is empty: give the trace file to write.");
        }

        var traceMax = OptionValues.Size("--trace-max-size", parse.GetValue(_traceMaxSize)) ?? 64L * 1024 * 1024;
        if (traceMax < Tether.Lab.TraceWriterOptions.MinFileBytes)
        {
            throw new UsageException($"--trace-max-size: {Sizes.Format(traceMax)} is too small: a trace file needs at least 256K.");
        }

        var traceOptions = new Tether.Lab.TraceWriterOptions { MaxFileBytes = traceMax, Generations = OptionValues.Integer("--trace-keep", parse.GetValue(_traceKeep), 0, 100, "3") ?? 3 };
        var options = new WatcherOptions
        {
            TraceFile = trace,
            TraceOptions = traceOptions,
            SocketPath = socket,
            Udp = Endpoint("--udp", udpText),
            TrustUdp = parse.GetValue(_trustUdp),
            Engine = engine,
            Recovery = recovery,
            RecoveryOptions = recoveryOptions,
            AuditFile = parse.GetValue(_auditFile),
            ExportFile = parse.GetValue(_exportFile),
            Metrics = metrics,
            MetricsTokenFile = metricsToken,
        };
        return (options, parse.GetValue(_json), parse.GetValue(_allBeats));
    }

    private static IPEndPoint? Endpoint(string option, string? text)
    {
        if (text is null)
        {
            return null;
        }

        return IPEndPoint.TryParse(text.Trim(), out var endpoint) && endpoint.Port != 0 || (IPEndPoint.TryParse(text.Trim(), out endpoint) && text.TrimEnd().EndsWith(":0", StringComparison.Ordinal))
            ? endpoint
            : throw new UsageException($"{option}: '{text}' is not an address and port: write ADDR:PORT with a numeric address, such as 127.0.0.1:9000 or [::1]:9000.");
    }

    private static long? Number(string option, string? text, long min, long max)
    {
        if (text is null)
        {
            return null;
        }

        return long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new UsageException($"{option}: '{text}' is not a whole number from {min} to {max}.");
    }
}
