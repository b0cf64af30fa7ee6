using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Tether.Supervisor.Logs;

namespace Tether.Supervisor;

/// <summary>What an operator sees and does through the control API: status, logs, commands, reload, shutdown.</summary>
public sealed partial class Supervisor
{
    /// <inheritdoc/>
    public SupervisorStatus Status()
    {
        var services = Services;
        var dropped = new Dictionary<string, long>(StringComparer.Ordinal);
        var written = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (name, log) in _logs)
        {
            if (log.DroppedLines is > 0 and var count)
            {
                dropped[name] = count;
            }

            written[name] = log.WrittenBytes;
        }

        return new SupervisorStatus(services.ProjectDirectory, services.SourcePath, Environment.ProcessId, _startedAt, Now, _shuttingDown,
            Volatile.Read(ref _status))
        {
            DroppedLogLines = dropped,
            LogBytes = written,
            Counts = _counter.Snapshot(),
        };
    }

    /// <inheritdoc/>
    public IReadOnlyList<LogLine> Logs(IReadOnlyCollection<string> services, int lines)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentOutOfRangeException.ThrowIfNegative(lines);
        var selected = Select(services);
        var all = new List<LogLine>();
        foreach (var log in selected)
        {
            all.AddRange(log.Ring.Last(lines));
        }

        // Each ring is in order; merged by the time each line was read (a stable sort keeps a ring's own order on ties).
        var merged = all.OrderBy(line => line.Time).ToList();
        return merged.Count <= lines ? merged : merged.GetRange(merged.Count - lines, lines);
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<LogLine> FollowLogs(IReadOnlyCollection<string> services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        var selected = Select(services); // throws now, not at the first MoveNextAsync
        return FollowAsync(selected, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task CommandAsync(OperatorAction action, string service, int replicas, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(service);
        if (_shuttingDown)
        {
            throw new SupervisorCommandException($"The supervisor is shutting down; '{Verb(action)} {service}' was not applied.");
        }

        if (Services.Find(service) is null)
        {
            throw UnknownService(service);
        }

        if (action == OperatorAction.Scale && replicas < 0)
        {
            throw new SupervisorCommandException($"Cannot scale '{service}' to {replicas} instances; give a count of 0 or more.");
        }

        var handled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!Post(new SupervisorInput.Operator(default, action, service, action == OperatorAction.Scale ? replicas : 0), handled))
        {
            throw new SupervisorCommandException($"The supervisor has stopped; '{Verb(action)} {service}' was not applied.");
        }

        await handled.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<ReloadReport> ReloadAsync(CancellationToken cancellationToken)
    {
        if (_options.Reread is not { } reread)
        {
            throw new SupervisorCommandException("These services were not read from a file, so there is nothing to re-read; restart the supervisor instead.");
        }

        await _reloading.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_shuttingDown)
            {
                throw new SupervisorCommandException("The supervisor is shutting down; the reload was not applied.");
            }

            ServiceSet next;
            try
            {
                next = reread();
            }
            catch (ConfigurationException ex)
            {
                throw new SupervisorCommandException(ex.Message + " (nothing was changed; the services keep running)", ex);
            }
            catch (IOException ex)
            {
                throw new SupervisorCommandException($"Cannot read the configuration again: {ex.Message} (nothing was changed; the services keep running)", ex);
            }

            var report = Compare(Services, next);
            var handled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (!Post(new SupervisorInput.Reload(default, next), handled))
            {
                throw new SupervisorCommandException("The supervisor has stopped; the reload was not applied.");
            }

            await handled.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            _journal.RecordReload(Now, report);
            return report;
        }
        finally
        {
            _reloading.Release();
        }
    }

    /// <inheritdoc/>
    public Task ShutdownAsync(bool force, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Shutdown(force);
        return Task.CompletedTask;
    }

    /// <summary>What a reload from <paramref name="current"/> to <paramref name="next"/> changes, by service name.</summary>
    internal static ReloadReport Compare(ServiceSet current, ServiceSet next)
    {
        List<string> added = [], removed = [], restarted = [], scaled = [], unchanged = [];
        foreach (var service in next.Services)
        {
            if (current.Find(service.Name) is not { } before)
            {
                added.Add(service.Name);
            }
            else if (before.Fingerprint != service.Fingerprint)
            {
                restarted.Add(service.Name);
            }
            else if (before.Replicas != service.Replicas)
            {
                scaled.Add(service.Name);
            }
            else
            {
                unchanged.Add(service.Name);
            }
        }

        foreach (var service in current.Services)
        {
            if (next.Find(service.Name) is null)
            {
                removed.Add(service.Name);
            }
        }

        return new ReloadReport(added, removed, restarted, scaled, unchanged);
    }

    private void Shutdown(bool force)
    {
        _shuttingDown = true;
        _notifier?.Stopping();
        Post(new SupervisorInput.Shutdown(default, force));
    }

    private async IAsyncEnumerable<LogLine> FollowAsync(List<ServiceLog> logs, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var follower = Channel.CreateBounded<LogLine>(new BoundedChannelOptions(ServiceLog.FollowerCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.DropOldest,
        });
        foreach (var log in logs)
        {
            log.Follow(follower);
        }

        try
        {
            while (true)
            {
                LogLine line;
                try
                {
                    if (!await follower.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        yield break; // the supervisor closed its logs
                    }

                    if (!follower.Reader.TryRead(out line!))
                    {
                        continue;
                    }
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    yield break;
                }

                yield return line;
            }
        }
        finally
        {
            foreach (var log in logs)
            {
                log.Unfollow(follower);
            }
        }
    }

    /// <summary>The logs of the named services (every service when none is named).</summary>
    private List<ServiceLog> Select(IReadOnlyCollection<string> services)
    {
        var set = Services;
        if (services.Count == 0)
        {
            return [.. set.Services.Select(s => _logs.TryGetValue(s.Name, out var log) ? log : null).OfType<ServiceLog>()];
        }

        var selected = new List<ServiceLog>(services.Count);
        foreach (var name in services)
        {
            if (!_logs.TryGetValue(name, out var log))
            {
                throw UnknownService(name);
            }

            selected.Add(log);
        }

        return selected;
    }

    private SupervisorCommandException UnknownService(string name) =>
        new($"There is no service '{name}' in {Services.SourcePath ?? Services.ProjectDirectory}; 'tether status' lists the services.");

    private static string Verb(OperatorAction action) => action.ToString().ToLowerInvariant();
}
