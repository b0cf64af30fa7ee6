using Tether.Lab;

namespace Tether.Supervisor;

/// <summary>
/// The supervisor engine under invariant checks, after every input: a dependency meets its condition before a dependent
/// starts (restarts too); no more restarts within the start limit's interval than its burst; a shutdown signals a
/// service only once every dependent's tree ended (unless forced); one instance never has two runs alive; and the
/// instance table stays within the replicas ever asked for.
/// </summary>
internal sealed class SupervisorInvariants : ICheckedEngine<SupervisorInput>
{
    private readonly SupervisorEngine _engine;
    private readonly List<SupervisorDecision> _decisions = [];
    private readonly Dictionary<InstanceId, long> _alive = [];
    private readonly Dictionary<InstanceId, List<TimeSpan>> _restarts = [];
    private int _mostReplicas;
    private bool _forced;

    public SupervisorInvariants(SupervisorPlantedBug bug) => _engine = new SupervisorEngine { PlantedBug = bug };

    public SupervisorEngine Engine => _engine;

    /// <summary>The decisions of the last input.</summary>
    public IReadOnlyList<SupervisorDecision> Decisions => _decisions;

    public string? Feed(SupervisorInput input, out ulong decisions)
    {
        _decisions.Clear();
        _engine.Handle(input, _decisions);
        decisions = SupervisorDecisions.Hash(_decisions);
        Observe(input);
        var status = _engine.Status();
        foreach (var decision in _decisions)
        {
            var broken = decision switch
            {
                SupervisorDecision.StartInstance start => OnStart(start, status),
                SupervisorDecision.RestartScheduled restart => OnRestart(restart),
                SupervisorDecision.GaveUp gaveUp => Forget(gaveUp.Instance),
                SupervisorDecision.StopInstance { Cause: StopCause.Shutdown } stop when !_forced => OnShutdownStop(stop, status),
                _ => null,
            };
            if (broken is not null)
            {
                return broken;
            }
        }

        var bound = 2 * _mostReplicas;
        return _engine.InstanceCount > bound ? $"instance table over its bound: {_engine.InstanceCount} > {bound}" : null;
    }

    private void Observe(SupervisorInput input)
    {
        switch (input)
        {
            case SupervisorInput.Configure or SupervisorInput.Reload:
                var set = input is SupervisorInput.Configure c ? c.Services : ((SupervisorInput.Reload)input).Services;

                // The worker may be scaled to 3 by command on top of whatever the set asks.
                _mostReplicas = Math.Max(_mostReplicas, set.Services.Sum(s => s.Replicas) + 3);
                _restarts.Clear(); // a reload may start services afresh; forgetting only weakens the check
                break;
            case SupervisorInput.Operator command:
                foreach (var id in _restarts.Keys.Where(id => id.Service == command.Service).ToList())
                {
                    _restarts.Remove(id);
                }

                break;
            case SupervisorInput.Exited exited when _alive.TryGetValue(exited.Instance, out var run) && run == exited.RunId:
                _alive.Remove(exited.Instance);
                break;
            case SupervisorInput.StartFailed failed when _alive.TryGetValue(failed.Instance, out var run) && run == failed.RunId:
                _alive.Remove(failed.Instance);
                break;
            case SupervisorInput.Shutdown { Force: true }:
                _forced = true;
                break;
        }
    }

    private string? OnStart(SupervisorDecision.StartInstance start, IReadOnlyList<InstanceStatus> status)
    {
        if (_alive.TryGetValue(start.Instance, out var alive))
        {
            return $"started twice: run {start.RunId} of {start.Instance} while run {alive} is alive";
        }

        _alive[start.Instance] = start.RunId;
        foreach (var dependency in start.Service.DependsOn)
        {
            var replicas = _engine.Services?.Find(dependency.Service)?.Replicas ?? 0;
            foreach (var row in status)
            {
                if (row.Id.Service != dependency.Service || row.Id.Index >= replicas)
                {
                    continue;
                }

                var met = dependency.Condition switch
                {
                    DependencyCondition.Started => row.State is ServiceState.Running or ServiceState.Ready or ServiceState.Completed,
                    DependencyCondition.Ready => row.State is ServiceState.Ready or ServiceState.Completed,
                    _ => row.State == ServiceState.Completed,
                };
                if (!met)
                {
                    return $"dependency not met: {start.Instance} started (run {start.RunId}) while {row.Id} is {SupervisorDecisions.Words(row.State)}, not {SupervisorDecisions.Words(dependency.Condition)}";
                }
            }
        }

        return null;
    }

    private string? OnRestart(SupervisorDecision.RestartScheduled restart)
    {
        if (!_restarts.TryGetValue(restart.Instance, out var times))
        {
            _restarts[restart.Instance] = times = [];
        }

        var limit = _engine.Services?.Find(restart.Instance.Service)?.StartLimit ?? StartLimit.Default;
        times.Add(restart.At);
        times.RemoveAll(t => t <= restart.At - limit.Interval);
        return times.Count > limit.Burst
            ? $"restart storm: {restart.Instance} restarted {times.Count} times within {SupervisorTrace.Ms(limit.Interval)}ms (burst {limit.Burst})"
            : null;
    }

    private string? Forget(InstanceId instance)
    {
        _restarts.Remove(instance);
        return null;
    }

    private string? OnShutdownStop(SupervisorDecision.StopInstance stop, IReadOnlyList<InstanceStatus> status)
    {
        var services = _engine.Services?.Services ?? [];
        foreach (var dependent in services)
        {
            if (!dependent.DependsOn.Any(d => d.Service == stop.Instance.Service))
            {
                continue;
            }

            foreach (var row in status)
            {
                if (row.Id.Service == dependent.Name && row.State is ServiceState.Starting or ServiceState.Running or ServiceState.Ready or ServiceState.Stopping)
                {
                    return $"shutdown order: {stop.Instance} signalled while its dependent {row.Id} is {SupervisorDecisions.Words(row.State)}";
                }
            }
        }

        return null;
    }
}
