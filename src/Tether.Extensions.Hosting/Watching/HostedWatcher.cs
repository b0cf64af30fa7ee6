using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tether.Watch;

namespace Tether.Extensions.Hosting;

/// <summary>
/// A heartbeat <see cref="Watcher"/> inside a .NET host: it starts listening with the host and stops with it (running
/// recoveries get their grace, then are killed). Stalls, recoveries and refusals are logged in the
/// <see cref="TetherLogCategories.Watch"/> category. Inject it to read the running <see cref="Watcher"/>.
/// </summary>
public sealed class HostedWatcher : IHostedService, IAsyncDisposable
{
    private readonly Func<WatcherOptions> _options;
    private readonly ILogger _logger;
    private Watcher? _watcher;

    internal HostedWatcher(Func<WatcherOptions> options, ILogger logger)
    {
        _options = options;
        _logger = logger;
    }

    /// <summary>The running watcher (its endpoints, counters and completion).</summary>
    /// <exception cref="InvalidOperationException">The host has not started it yet.</exception>
    public Watcher Watcher => _watcher ?? throw new InvalidOperationException("The watcher starts with the host; start the host before using it.");

    /// <summary>Binds the listeners and starts the watcher's loop.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _watcher = await Watcher.StartAsync(_options(), Log).ConfigureAwait(false);
        WatchLog.Started(_logger, string.Join(", ", _watcher.Endpoints));
    }

    /// <summary>Stops the listeners and the loop; running recoveries get their grace period, then are killed.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_watcher is { } watcher)
        {
            await watcher.StopAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            WatchLog.Stopped(_logger);
        }
    }

    /// <summary>Stops the watcher if the host did not.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_watcher is { } watcher)
        {
            await watcher.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void Log(WatchEvent e)
    {
        switch (e)
        {
            case WatchEvent.StallDetected stall:
                WatchLog.Stalled(_logger, stall.Pid, stall.SilentFor.TotalMilliseconds);
                break;
            case WatchEvent.RecoveryStarted started:
                WatchLog.RecoveryStarted(_logger, started.RecoveryId, started.Pid);
                break;
            case WatchEvent.RecoveryCompleted completed:
                WatchLog.RecoveryCompleted(_logger, completed.RecoveryId, completed.Pid, completed.Result.Kind, completed.Result.Duration.TotalMilliseconds);
                break;
            case WatchEvent.RecoveryRefused refused:
                WatchLog.RecoveryRefused(_logger, refused.Pid, refused.Reason.ToString());
                break;
        }
    }
}
