using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Tether.Supervisor.Tests.Control;

/// <summary>
/// A supervisor without processes for the control API's specs: a fixed table of instances, a log backlog, lines a spec
/// pushes to followers, and a record of every command, reload and shutdown it was asked for.
/// </summary>
internal sealed class FakeSupervisorControl : ISupervisorControl
{
    private readonly List<Channel<LogLine>> _followers = [];

    public static readonly DateTimeOffset Started = new(2026, 12, 7, 8, 0, 0, TimeSpan.Zero);

    public List<InstanceStatus> Instances { get; } =
    [
        new(new InstanceId("db", 0), ServiceState.Ready, 4101, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), 0, Health.Passing, null, "ready"),
        new(new InstanceId("web", 0), ServiceState.Running, 4102, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3), 2, Health.Unknown, new ExitInfo(1), "restarted: exit 1"),
        new(new InstanceId("web", 1), ServiceState.Restarting, null, null, TimeSpan.FromSeconds(9), 5, Health.Failing, ExitInfo.BySignal(Signal.Kill), "backoff 400ms after signal SIGKILL"),
    ];

    public List<LogLine> Backlog { get; } = [];

    public List<(OperatorAction Action, string Service, int Replicas)> Commands { get; } = [];

    public List<bool> Shutdowns { get; } = [];

    /// <summary>The pid the status reports.</summary>
    public int Pid { get; set; } = 4100;

    /// <summary>Called on every shutdown request (a spec that wants the supervisor to go away closes its server here).</summary>
    public Action? OnShutdown { get; set; }

    /// <summary>What the next reload does: a report, or the exception it throws (an invalid file).</summary>
    public Func<ReloadReport> Reload { get; set; } = () => new ReloadReport(["cache"], [], ["web"], [], ["db"]);

    public int Followers
    {
        get
        {
            lock (_followers)
            {
                return _followers.Count;
            }
        }
    }

    public SupervisorStatus Status() =>
        new("/srv/app", "/srv/app/tether.yaml", Pid, Started, TimeSpan.FromSeconds(10), Shutdowns.Count > 0, [.. Instances])
        {
            DroppedLogLines = new Dictionary<string, long> { ["web"] = 3 },
        };

    public IReadOnlyList<LogLine> Logs(IReadOnlyCollection<string> services, int lines)
    {
        Check(services);
        var matching = Backlog.Where(l => services.Count == 0 || services.Contains(l.Instance.Service)).ToList();
        return matching.Skip(Math.Max(0, matching.Count - lines)).ToList();
    }

    public async IAsyncEnumerable<LogLine> FollowLogs(IReadOnlyCollection<string> services, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Check(services);
        var channel = Channel.CreateUnbounded<LogLine>();
        lock (_followers)
        {
            _followers.Add(channel);
        }

        try
        {
            await foreach (var line in channel.Reader.ReadAllAsync(cancellationToken))
            {
                if (services.Count == 0 || services.Contains(line.Instance.Service))
                {
                    yield return line;
                }
            }
        }
        finally
        {
            lock (_followers)
            {
                _followers.Remove(channel);
            }
        }
    }

    /// <summary>A new line of output, to every follower.</summary>
    public void Emit(LogLine line)
    {
        lock (_followers)
        {
            foreach (var follower in _followers)
            {
                follower.Writer.TryWrite(line);
            }
        }
    }

    public Task CommandAsync(OperatorAction action, string service, int replicas, CancellationToken cancellationToken)
    {
        if (!Instances.Any(i => i.Id.Service == service))
        {
            throw new SupervisorCommandException($"no service named '{service}'");
        }

        Commands.Add((action, service, replicas));
        return Task.CompletedTask;
    }

    public Task<ReloadReport> ReloadAsync(CancellationToken cancellationToken) => Task.FromResult(Reload());

    public Task ShutdownAsync(bool force, CancellationToken cancellationToken)
    {
        Shutdowns.Add(force);
        OnShutdown?.Invoke();
        return Task.CompletedTask;
    }

    private void Check(IReadOnlyCollection<string> services)
    {
        foreach (var service in services)
        {
            if (!Instances.Any(i => i.Id.Service == service))
            {
                throw new SupervisorCommandException($"no service named '{service}'");
            }
        }
    }
}
