using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tether.Supervisor;
using SupervisorHost = Tether.Supervisor.Supervisor;

namespace Tether.Extensions.Hosting;

/// <summary>
/// A <see cref="Tether.Supervisor.Supervisor"/> — the same one <c>tether up</c> runs — inside a .NET host: it starts
/// with the host, and when the host stops it shuts the services down gracefully (dependents first, each tree signalled,
/// given its grace, then killed) and waits for every tree to end. Should the host's shutdown time run out first, every
/// tree is killed. Inject it to reach the running supervisor (<see cref="Control"/>: status, logs, commands, reload).
/// </summary>
public sealed class HostedSupervisor : IHostedService, IAsyncDisposable
{
    private readonly Func<SupervisorOptions> _options;
    private readonly ILogger _logger;
    private readonly RedactionPolicy _policy;
    private SupervisorHost? _supervisor;

    internal HostedSupervisor(Func<SupervisorOptions> options, ILogger logger, RedactionPolicy policy)
    {
        _options = options;
        _logger = logger;
        _policy = policy;
    }

    /// <summary>The running supervisor, to ask for status, logs, commands or a reload.</summary>
    /// <exception cref="InvalidOperationException">The host has not started it yet.</exception>
    public ISupervisorControl Control => _supervisor ?? throw new InvalidOperationException("The supervisor starts with the host; start the host before using it.");

    /// <summary>Completes once the supervisor stopped (with the host, or after a shutdown asked through <see cref="Control"/>).</summary>
    /// <exception cref="InvalidOperationException">The host has not started it yet.</exception>
    public Task<int> Completion => (_supervisor ?? throw new InvalidOperationException("The supervisor starts with the host; start the host before using it.")).Completion;

    /// <summary>Reads the services (the configuration file, or the set built in code) and starts the supervisor.</summary>
    /// <exception cref="ConfigurationException">The configuration file is invalid.</exception>
    /// <exception cref="SupervisorAlreadyRunningException">Another supervisor runs for the same project directory.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var options = _options();
        var observe = options.OnDecision;
        options = options with
        {
            OnDecision = decision =>
            {
                Log(decision);
                observe?.Invoke(decision);
            },
        };
        _supervisor = await SupervisorHost.StartAsync(options, cancellationToken).ConfigureAwait(false);
        SupervisionLog.Started(_logger, options.Services.Services.Count, options.Services.ProjectDirectory);
    }

    /// <summary>Shuts the services down in reverse dependency order and waits for every tree; kills what is left when <paramref name="cancellationToken"/> fires.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_supervisor is not { } supervisor)
        {
            return;
        }

        var directory = supervisor.Services.ProjectDirectory;
        SupervisionLog.Stopping(_logger, directory);
        try
        {
            await supervisor.ShutdownAsync(force: false, CancellationToken.None).ConfigureAwait(false);
            await supervisor.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
            SupervisionLog.Stopped(_logger, directory);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            SupervisionLog.Forced(_logger, directory);
            await supervisor.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Kills whatever still runs (after a host that never stopped it) and releases the project directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_supervisor is { } supervisor)
        {
            await supervisor.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void Log(SupervisorDecision decision)
    {
        switch (decision)
        {
            case SupervisorDecision.StateChanged changed when _logger.IsEnabled(LogLevel.Information):
                SupervisionLog.StateChanged(_logger, changed.Instance.Service, changed.Instance.Index, changed.From, changed.To, _policy.Redact(changed.Reason));
                break;
            case SupervisorDecision.RestartScheduled restart when _logger.IsEnabled(LogLevel.Warning):
                SupervisionLog.RestartScheduled(_logger, restart.Instance.Service, restart.Instance.Index, restart.Delay.TotalMilliseconds, restart.Restart, _policy.Redact(restart.Reason));
                break;
            case SupervisorDecision.GaveUp gaveUp when _logger.IsEnabled(LogLevel.Error):
                SupervisionLog.GaveUp(_logger, gaveUp.Instance.Service, gaveUp.Instance.Index, _policy.Redact(gaveUp.Reason));
                break;
        }
    }
}
