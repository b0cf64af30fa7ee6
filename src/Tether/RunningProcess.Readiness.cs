using Tether.Readiness;

namespace Tether;

/// <summary>
/// Readiness beyond output lines: a port, a Unix socket, an HTTP endpoint, a file. Each wait polls on the runner's
/// clock, gives up early when the run ends, throws <see cref="NotReadyException"/> naming what it waited for when the
/// timeout runs out, and never stops the process.
/// </summary>
public sealed partial class RunningProcess
{
    /// <summary>How often a readiness wait checks again.</summary>
    public static readonly TimeSpan ReadinessPollInterval = TimeSpan.FromMilliseconds(100);

    // One check may take at most this long (a SYN dropped by a firewall would otherwise hang a connect).
    private static readonly TimeSpan ReadinessCheckLimit = TimeSpan.FromSeconds(2);

    /// <summary>Waits until a TCP connection to <paramref name="host"/>:<paramref name="port"/> succeeds.</summary>
    /// <exception cref="NotReadyException">Nothing accepted connections within <paramref name="timeout"/>, or the run ended first. The process is not stopped.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (the process keeps running).</exception>
    public Task WaitForPortAsync(string host, int port, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        return WaitUntilReadyAsync(ReadinessProbe.Port(host, port), timeout, cancellationToken);
    }

    /// <summary>Waits until a connection to the Unix stream socket at <paramref name="path"/> succeeds.</summary>
    /// <exception cref="NotReadyException">Nothing accepted connections within <paramref name="timeout"/>, or the run ended first. The process is not stopped.</exception>
    public Task WaitForUnixSocketAsync(string path, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return WaitUntilReadyAsync(ReadinessProbe.UnixSocket(path), timeout, cancellationToken);
    }

    /// <summary>
    /// Waits until a GET of <paramref name="url"/> answers with <paramref name="expectStatus"/> (default: any 2xx).
    /// Redirects are not followed: a 3xx is an answer like any other.
    /// </summary>
    /// <exception cref="NotReadyException">No such answer within <paramref name="timeout"/>, or the run ended first; the message says what was last seen. The process is not stopped.</exception>
    public Task WaitForHttpAsync(Uri url, TimeSpan timeout, int? expectStatus = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"'{url}' is not an absolute http or https URL.", nameof(url));
        }

        if (expectStatus is { } status)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(status, 100, nameof(expectStatus));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(status, 599, nameof(expectStatus));
        }

        return WaitUntilReadyAsync(ReadinessProbe.Http(url, expectStatus), timeout, cancellationToken);
    }

    /// <summary>Waits until <paramref name="path"/> exists (a file or a directory).</summary>
    /// <exception cref="NotReadyException">It did not appear within <paramref name="timeout"/>, or the run ended first. The process is not stopped.</exception>
    public Task WaitForFileAsync(string path, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return WaitUntilReadyAsync(ReadinessProbe.File(path), timeout, cancellationToken);
    }

    private async Task WaitUntilReadyAsync(ReadinessProbe probe, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        var started = _time.GetTimestamp();
        string? lastSeen = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();

            // Checked before the probe: a port the exited program no longer holds may be someone else's.
            if (_completion.IsCompleted)
            {
                throw EndedBeforeReady(probe, lastSeen);
            }

            using (var check = new CancellationTokenSource(ReadinessCheckLimit, _time))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(check.Token, cancellationToken))
            {
                try
                {
                    lastSeen = await probe.CheckAsync(linked.Token).ConfigureAwait(false);
                    if (lastSeen is null)
                    {
                        return;
                    }
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    lastSeen = $"no answer within {Durations.Format(ReadinessCheckLimit)}";
                }
            }

            var remaining = timeout - _time.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                throw new NotReadyException(
                    $"'{Program}' was not ready: waited {Durations.Format(timeout)} for {probe.WaitingFor} (last seen: {lastSeen}); the process is still running.",
                    probe.WaitingFor,
                    exitedWith: null);
            }

            using var pause = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            try
            {
                var delay = Task.Delay(remaining < ReadinessPollInterval ? remaining : ReadinessPollInterval, _time, pause.Token);
                await Task.WhenAny(delay, _completion).ConfigureAwait(false);
            }
            finally
            {
                await pause.CancelAsync().ConfigureAwait(false);
            }
        }
    }

    private NotReadyException EndedBeforeReady(ReadinessProbe probe, string? lastSeen)
    {
        var outcome = _completion.IsCompletedSuccessfully ? _completion.Result.Outcome : null;
        var how = outcome?.ToString() ?? "ended";
        var seen = lastSeen is null ? "" : $" (last seen: {lastSeen})";
        return new NotReadyException($"'{Program}' {how} while waiting for {probe.WaitingFor}{seen}.", probe.WaitingFor, outcome);
    }
}
