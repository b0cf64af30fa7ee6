using System.Net;
using System.Net.Sockets;
using Tether.Supervisor.Reaping;
using Tether.Supervisor.Running;

namespace Tether.Supervisor.Probes;

/// <summary>
/// Runs one check of a polled probe (a <see cref="SupervisorDecision.RunProbe"/>) and says whether it passed, with a
/// one-line detail: <c>exec</c> through the supervisor's (contained) runner, <c>http</c> as a GET that must answer
/// 2xx, <c>tcp</c> as a connection that must be accepted. Every check is bounded by the probe's timeout — a check
/// that hangs fails at its timeout, and an exec check's whole tree is killed then.
/// </summary>
/// <remarks>
/// Details never carry a URL (whose user-info could hold a password) and pass through the one
/// <see cref="RedactionPolicy"/>, because they reach the journal and <c>tether status</c>.
/// </remarks>
internal sealed class ProbeRunner : IDisposable
{
    private const int DetailOutputBytes = 4096;
    private readonly IProcessRunner _runner;
    private readonly TimeProvider _time;
    private readonly string _projectDirectory;
    private readonly OrphanReaper _reaper;
    private readonly HttpClient _http;

    /// <summary>Creates a probe runner; exec checks run through <paramref name="runner"/> in <paramref name="projectDirectory"/> by default.</summary>
    public ProbeRunner(IProcessRunner runner, TimeProvider time, string projectDirectory, OrphanReaper reaper)
    {
        _runner = runner;
        _time = time;
        _projectDirectory = projectDirectory;
        _reaper = reaper;
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false, PooledConnectionIdleTimeout = TimeSpan.FromSeconds(10) })
        {
            Timeout = Timeout.InfiniteTimeSpan, // each check has its own, on the supervisor's clock
        };
    }

    /// <summary>Runs one check of <paramref name="probe"/> for <paramref name="run"/>.</summary>
    public async Task<(bool Passed, string Detail)> CheckAsync(ProbeDefinition probe, InstanceRun run)
    {
        var (passed, detail) = probe.Kind switch
        {
            ProbeKind.Exec => await ExecAsync(probe, run).ConfigureAwait(false),
            ProbeKind.Http => await HttpAsync(probe).ConfigureAwait(false),
            ProbeKind.Tcp => await TcpAsync(probe).ConfigureAwait(false),
            _ => (false, $"a {probe.Kind.ToString().ToLowerInvariant()} probe is observed, not run"),
        };
        return (passed, RedactionPolicy.Default.Redact(detail));
    }

    /// <inheritdoc/>
    public void Dispose() => _http.Dispose();

    private async Task<(bool, string)> ExecAsync(ProbeDefinition probe, InstanceRun run)
    {
        if (probe.Command is not { Count: > 0 } arguments)
        {
            return (false, "the exec probe has no command");
        }

        var command = new Command(arguments[0])
            .WithArguments(arguments.Skip(1))
            .WithWorkingDirectory(run.Service.WorkingDirectory ?? _projectDirectory)
            .WithTimeout(probe.Timeout)
            .WithGrace(TimeSpan.Zero)
            .WithDrainTimeout(TimeSpan.FromMilliseconds(100))
            .WithOutputLimit(new OutputLimit(DetailOutputBytes, OverflowPolicy.KeepNewest));
        command = ServiceLaunch.WithEnvironment(command, run.Service, run.Instance, watchSocket: null);

        RunningProcess process;
        _reaper.BeginSpawn();
        try
        {
            process = await _runner.StartAsync(command).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TetherException or IOException or ArgumentException or InvalidOperationException or PlatformNotSupportedException)
        {
            _reaper.EndSpawn([]);
            return (false, ex.Message);
        }

        _reaper.EndSpawn(process.Pids);
        await using (process.ConfigureAwait(false))
        {
            try
            {
                var result = await process.WaitAsync().ConfigureAwait(false);
                return result.Outcome switch
                {
                    Outcome.Exited { Code: 0 } => (true, "exit 0"),
                    Outcome.Exited exited => (false, $"exit {exited.Code}" + LastLine(result.Stderr, result.Stdout)),
                    Outcome.TimedOut => (false, $"no answer within {Durations.Format(probe.Timeout)} (the check was killed)"),
                    var other => (false, other.ToString()),
                };
            }
            catch (Exception ex) when (ex is TetherException or IOException)
            {
                return (false, ex.Message);
            }
            finally
            {
                _reaper.Release(process.Pids);
            }
        }
    }

    private async Task<(bool, string)> HttpAsync(ProbeDefinition probe)
    {
        if (probe.Url is not { } url)
        {
            return (false, "the http probe has no URL");
        }

        using var timeout = new CancellationTokenSource(probe.Timeout, _time);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            return (status is >= 200 and <= 299, $"HTTP {status}");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return (false, $"no HTTP answer within {Durations.Format(probe.Timeout)}");
        }
        catch (HttpRequestException ex)
        {
            return (false, "HTTP request failed: " + (ex.InnerException is SocketException socket ? Describe(socket) : ex.HttpRequestError.ToString()));
        }
    }

    private async Task<(bool, string)> TcpAsync(ProbeDefinition probe)
    {
        using var timeout = new CancellationTokenSource(probe.Timeout, _time);
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (IPAddress.TryParse(probe.Host, out var address))
            {
                await socket.ConnectAsync(new IPEndPoint(address, probe.Port), timeout.Token).ConfigureAwait(false);
            }
            else
            {
                await socket.ConnectAsync(probe.Host, probe.Port, timeout.Token).ConfigureAwait(false);
            }

            // A connection to a local port in the ephemeral range can be given that port as its source and connect to
            // itself while nothing listens (a TCP simultaneous open): that is no service accepting connections.
            if (socket.LocalEndPoint is { } local && local.Equals(socket.RemoteEndPoint))
            {
                return (false, $"cannot connect to {probe.Host}:{probe.Port}: nothing listens (the connection reached itself)");
            }

            return (true, $"connected to {probe.Host}:{probe.Port}");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return (false, $"no connection to {probe.Host}:{probe.Port} within {Durations.Format(probe.Timeout)}");
        }
        catch (SocketException ex)
        {
            return (false, $"cannot connect to {probe.Host}:{probe.Port}: {Describe(ex)}");
        }
    }

    private static string Describe(SocketException ex) => ex.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.HostNotFound or SocketError.NoData => "unknown host",
        SocketError.TimedOut => "timed out",
        SocketError.NetworkUnreachable or SocketError.HostUnreachable => "unreachable",
        var code => code.ToString(),
    };

    private static string LastLine(string stderr, string stdout)
    {
        var text = (string.IsNullOrWhiteSpace(stderr) ? stdout : stderr).TrimEnd();
        if (text.Length == 0)
        {
            return "";
        }

        var last = text[(text.LastIndexOf('\n') + 1)..].Trim();
        return last.Length == 0 ? "" : ": " + (last.Length > 200 ? last[..200] : last);
    }
}
