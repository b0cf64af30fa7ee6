namespace Tether.Supervisor;

/// <summary>Starting in dependency order, ending, and restarting with backoff and a start limit.</summary>
public sealed partial class SupervisorEngine
{
    /// <summary>Starts what may start, moves a shutdown along, and notices when every instance became ready.</summary>
    private void Advance(ICollection<SupervisorDecision> decisions)
    {
        if (_shuttingDown)
        {
            AdvanceShutdown(decisions);
            return;
        }

        foreach (var service in _services)
        {
            if (service.Removed)
            {
                continue;
            }

            foreach (var instance in service.Instances)
            {
                var due = instance.State == ServiceState.Waiting
                    || (instance.State is ServiceState.Restarting or ServiceState.Failed && instance.WakeAt is { } wake && wake <= Now);
                if (!due || instance.PendingRemoval)
                {
                    continue;
                }

                var plantedSkip = PlantedBug == SupervisorPlantedBug.DependencyIgnoredOnRestart && instance.State == ServiceState.Restarting;
                if (DependenciesMet(instance.Definition, out var waitingFor) || plantedSkip)
                {
                    if (instance.State == ServiceState.Failed)
                    {
                        // retry_after: a fresh start, not one more restart of the storm that was given up.
                        instance.RecentRestarts.Clear();
                        instance.Consecutive = 0;
                    }

                    Start(instance, decisions);
                }
                else
                {
                    instance.WakeAt = null;
                    ChangeState(instance, ServiceState.Waiting, waitingFor, decisions);
                }
            }
        }

        var allReady = _services.Count > 0;
        foreach (var service in _services)
        {
            foreach (var instance in service.Instances)
            {
                allReady &= instance.State is ServiceState.Ready or ServiceState.Completed;
            }
        }

        if (allReady && !_allReady)
        {
            decisions.Add(new SupervisorDecision.AllReady(Now));
        }

        _allReady = allReady;
    }

    private bool DependenciesMet(ServiceDefinition definition, out string waitingFor)
    {
        foreach (var dependency in definition.DependsOn)
        {
            var service = FindService(dependency.Service);
            if (service is null || service.Removed)
            {
                waitingFor = $"waiting for {dependency.Service}: it is not defined";
                return false;
            }

            foreach (var instance in service.Instances)
            {
                if (instance.PendingRemoval)
                {
                    continue;
                }

                var met = dependency.Condition switch
                {
                    DependencyCondition.Started => instance.State is ServiceState.Running or ServiceState.Ready or ServiceState.Completed,
                    DependencyCondition.Ready => instance.State is ServiceState.Ready or ServiceState.Completed,
                    _ => instance.State == ServiceState.Completed,
                };
                if (!met)
                {
                    var why = instance.State is ServiceState.Failed or ServiceState.Exited or ServiceState.Restarting or ServiceState.Stopped
                        ? $"{instance.Id} is {Words(instance.State)}: {instance.Reason}"
                        : $"{instance.Id} is {Words(instance.State)}";
                    waitingFor = $"waiting for {dependency.Service} to be {Words(dependency.Condition)} ({why})";
                    return false;
                }
            }
        }

        waitingFor = "";
        return true;
    }

    private void Start(InstanceEntry instance, ICollection<SupervisorDecision> decisions)
    {
        instance.RunId = ++_nextRunId;
        instance.WakeAt = null;
        instance.Pid = null;
        instance.StartedAt = null;
        instance.StopCause = null;
        instance.StopDeadline = null;
        instance.StopPending = false;
        instance.KillSent = false;
        instance.LivenessDetail = null;
        instance.Readiness.Reset();
        instance.Liveness.Reset();
        decisions.Add(new SupervisorDecision.StartInstance(Now, instance.Id, instance.RunId, instance.Definition));
        ChangeState(instance, ServiceState.Starting, instance.Restarts == 0 ? "starting" : $"starting (restart {instance.Restarts})", decisions);
    }

    private void OnStarted(SupervisorInput.Started started, ICollection<SupervisorDecision> decisions)
    {
        if (Current(started.Instance, started.RunId) is not { } instance || instance.Pid is not null)
        {
            return;
        }

        instance.Pid = started.Pid;
        instance.StartedAt = Now;
        if (instance.State == ServiceState.Stopping)
        {
            // The stop was decided before the process existed: send it now.
            if (instance.StopPending)
            {
                instance.StopPending = false;
                SendStop(instance, decisions);
            }

            return;
        }

        var definition = instance.Definition;
        if (definition.Live is { } live)
        {
            instance.Liveness.Activate(live, Now);
        }

        if (definition.Ready is { } ready)
        {
            instance.Readiness.Activate(ready, Now);
            ChangeState(instance, ServiceState.Running, $"started as pid {started.Pid}; not ready yet ({Describe(ready)})", decisions);
        }
        else
        {
            ChangeState(instance, ServiceState.Ready, $"started as pid {started.Pid}", decisions);
        }
    }

    /// <summary>The instance's process ended (or never started): decide what comes next.</summary>
    private void OnEnded(InstanceEntry instance, ExitInfo? exit, string how, ICollection<SupervisorDecision> decisions)
    {
        var ranFor = instance.StartedAt is { } startedAt ? Now - startedAt : TimeSpan.Zero;
        instance.Pid = null;
        instance.StartedAt = null;
        instance.StopDeadline = null;
        instance.StopPending = false;
        instance.Readiness.Deactivate();
        instance.Liveness.Deactivate();
        if (exit is not null)
        {
            instance.LastExit = exit;
        }

        if (instance.State == ServiceState.Stopping && instance.StopCause is { } cause && cause != StopCause.LivenessFailed)
        {
            OnStopped(instance, cause, how, decisions);
            return;
        }

        var livenessFailed = instance.State == ServiceState.Stopping && instance.StopCause == StopCause.LivenessFailed;
        if (livenessFailed)
        {
            how = $"liveness failed ({instance.LivenessDetail}); {how}";
        }

        var success = !livenessFailed && exit is { ExitCode: { } code, Signal: null } && instance.Definition.IsOkExit(code);
        var restart = !_shuttingDown && !instance.Service.OperatorStopped && instance.Definition.Restart switch
        {
            RestartPolicy.No => false,
            RestartPolicy.OnFailure => !success,
            _ => true,
        };

        if (!restart)
        {
            ChangeState(instance, success ? ServiceState.Completed : ServiceState.Exited, how, decisions);
            return;
        }

        ScheduleRestart(instance, ranFor, how, decisions);
    }

    private void ScheduleRestart(InstanceEntry instance, TimeSpan ranFor, string how, ICollection<SupervisorDecision> decisions)
    {
        var definition = instance.Definition;
        var limit = definition.StartLimit;
        while (instance.RecentRestarts.Count > 0 && instance.RecentRestarts.Peek() <= Now - limit.Interval)
        {
            instance.RecentRestarts.Dequeue();
        }

        if (instance.RecentRestarts.Count >= limit.Burst)
        {
            var retryAt = limit.RetryAfter is { } retryAfter ? Now + retryAfter : (TimeSpan?)null;
            var reason = $"{how}; gave up after {Counted(limit.Burst, "restart")} within {Durations.Format(limit.Interval)} (start_limit)"
                + (limit.RetryAfter is { } after ? $"; trying again in {Durations.Format(after)}" : "; start it with `tether start " + instance.Id.Service + "`");
            instance.WakeAt = retryAt;
            decisions.Add(new SupervisorDecision.GaveUp(Now, instance.Id, reason, retryAt));
            ChangeState(instance, ServiceState.Failed, reason, decisions);
            return;
        }

        var backoff = definition.Backoff;
        if (ranFor >= backoff.ResetAfter)
        {
            instance.Consecutive = 0; // a stable run: the sequence starts again
        }

        var delay = Delay(backoff, instance.Consecutive);
        instance.Consecutive++;
        instance.Restarts++;
        instance.RecentRestarts.Enqueue(Now);
        instance.WakeAt = Now + delay;
        var recent = instance.RecentRestarts.Count;
        decisions.Add(new SupervisorDecision.RestartScheduled(Now, instance.Id, delay, instance.Restarts, recent, how));
        ChangeState(
            instance,
            ServiceState.Restarting,
            $"{how}; restart {instance.Restarts} in {Durations.Format(delay)} ({Counted(recent, "restart")} within {Durations.Format(limit.Interval)}, limit {limit.Burst})",
            decisions);
    }

    /// <summary>Initial × factor^n, capped, less a random part of at most <c>jitter</c> of it.</summary>
    private TimeSpan Delay(RestartBackoff backoff, int consecutive)
    {
        var ticks = backoff.Initial.Ticks * Math.Pow(backoff.Factor, Math.Min(consecutive, 64));
        var capped = Math.Min(double.IsFinite(ticks) ? ticks : double.MaxValue, backoff.Max.Ticks);
        var jittered = capped * (1 - (backoff.Jitter * _random.NextDouble()));
        return TimeSpan.FromTicks((long)Math.Max(0, jittered));
    }

    /// <summary>Deadlines that fell due: probes, unanswered probes, trees that outlived their grace.</summary>
    private void OnTime(ICollection<SupervisorDecision> decisions)
    {
        foreach (var service in _services)
        {
            foreach (var instance in service.Instances)
            {
                if (instance.State == ServiceState.Stopping && !instance.KillSent && instance.StopDeadline is { } deadline && deadline <= Now)
                {
                    instance.KillSent = true;
                    instance.Reason = $"still running {Durations.Format(instance.Definition.Stop.Grace + StopBackstop)} after {instance.Definition.Stop.Signal}; SIGKILL";
                    decisions.Add(new SupervisorDecision.KillInstance(Now, instance.Id, instance.RunId));
                }

                if (instance.State is ServiceState.Running or ServiceState.Ready)
                {
                    DueProbe(instance, ProbeRole.Readiness, decisions);
                    if (instance.State is ServiceState.Running or ServiceState.Ready)
                    {
                        DueProbe(instance, ProbeRole.Liveness, decisions);
                    }
                }
            }
        }
    }

    private static string Words(ServiceState state) => state switch
    {
        ServiceState.Waiting => "waiting",
        ServiceState.Starting => "starting",
        ServiceState.Running => "running, not ready",
        ServiceState.Ready => "ready",
        ServiceState.Stopping => "stopping",
        ServiceState.Restarting => "restarting",
        ServiceState.Completed => "completed",
        ServiceState.Exited => "exited",
        ServiceState.Failed => "failed",
        _ => "stopped",
    };

    private static string Words(DependencyCondition condition) => condition switch
    {
        DependencyCondition.Started => "started",
        DependencyCondition.Ready => "ready",
        _ => "completed successfully",
    };

    private static string Counted(int count, string noun) =>
        count.ToString(System.Globalization.CultureInfo.InvariantCulture) + " " + (count == 1 ? noun : noun + "s");
}
