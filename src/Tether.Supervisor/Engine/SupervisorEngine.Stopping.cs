namespace Tether.Supervisor;

/// <summary>Stops: operator commands, liveness failures, scale-down, reloads and the shutdown in reverse dependency order.</summary>
public sealed partial class SupervisorEngine
{
    private void RequestStop(InstanceEntry instance, StopCause cause, ICollection<SupervisorDecision> decisions)
    {
        switch (instance.State)
        {
            case ServiceState.Stopping:
                // Already stopping: an operator's or the shutdown's wish replaces a liveness restart; removal stays removal.
                if (instance.StopCause != StopCause.Removed)
                {
                    instance.StopCause = cause;
                }

                return;
            case ServiceState.Starting:
                instance.StopCause = cause;
                instance.StopPending = true;
                ChangeState(instance, ServiceState.Stopping, StopWords(cause) + " (before it started)", decisions);
                return;
            case ServiceState.Running:
            case ServiceState.Ready:
                instance.StopCause = cause;
                SendStop(instance, decisions);
                ChangeState(instance, ServiceState.Stopping, StopWords(cause), decisions);
                return;
            default:
                // Nothing runs: the stop takes effect at once.
                instance.WakeAt = null;
                OnStopped(instance, cause, how: null, decisions);
                return;
        }
    }

    private void SendStop(InstanceEntry instance, ICollection<SupervisorDecision> decisions)
    {
        var stop = instance.Definition.Stop;
        instance.StopDeadline = Now + stop.Grace + StopBackstop;
        instance.Readiness.Deactivate();
        instance.Liveness.Deactivate();
        decisions.Add(new SupervisorDecision.StopInstance(Now, instance.Id, instance.RunId, stop.Signal, stop.Grace, instance.StopCause ?? StopCause.Operator));
    }

    /// <summary>A stop the engine asked for is complete (or took effect on an instance with no process).</summary>
    private void OnStopped(InstanceEntry instance, StopCause cause, string? how, ICollection<SupervisorDecision> decisions)
    {
        var suffix = how is null ? "" : $" ({how})";
        switch (cause)
        {
            case StopCause.Removed:
                ChangeState(instance, ServiceState.Stopped, "removed" + suffix, decisions);
                instance.Service.Instances.Remove(instance);
                decisions.Add(new SupervisorDecision.InstanceRemoved(Now, instance.Id));
                if (instance.Service.Removed && instance.Service.Instances.Count == 0)
                {
                    _services.Remove(instance.Service);
                }

                return;
            case StopCause.OperatorRestart or StopCause.Reload when !_shuttingDown:
                if (instance.NextDefinition is { } next)
                {
                    instance.Definition = next;
                    instance.NextDefinition = null;
                }

                instance.Consecutive = 0;
                instance.RecentRestarts.Clear();
                instance.WakeAt = null;
                ChangeState(instance, ServiceState.Waiting, (cause == StopCause.Reload ? "restarting with the new configuration" : "restarting at the operator's request") + suffix, decisions);
                return;
            default:
                if (cause == StopCause.Shutdown && instance.State is ServiceState.Completed or ServiceState.Exited)
                {
                    return; // it had ended on its own; the shutdown leaves its last word
                }

                ChangeState(instance, ServiceState.Stopped, StopWords(cause) + suffix, decisions);
                return;
        }
    }

    private void OnOperator(SupervisorInput.Operator command, ICollection<SupervisorDecision> decisions)
    {
        if (_shuttingDown || FindService(command.Service) is not { Removed: false } service)
        {
            return; // the host refuses these before they reach the engine; a trace may still hold one
        }

        switch (command.Action)
        {
            case OperatorAction.Start:
                service.OperatorStopped = false;
                foreach (var instance in service.Instances)
                {
                    if (!instance.IsAlive && instance.State != ServiceState.Waiting && !instance.PendingRemoval)
                    {
                        FreshStart(instance, "started by the operator", decisions);
                    }
                }

                break;
            case OperatorAction.Stop:
                service.OperatorStopped = true;
                foreach (var instance in service.Instances.ToArray())
                {
                    if (!instance.PendingRemoval)
                    {
                        RequestStop(instance, StopCause.Operator, decisions);
                    }
                }

                break;
            case OperatorAction.Restart:
                service.OperatorStopped = false;
                foreach (var instance in service.Instances.ToArray())
                {
                    if (instance.PendingRemoval)
                    {
                        continue;
                    }

                    if (instance.IsAlive)
                    {
                        RequestStop(instance, StopCause.OperatorRestart, decisions);
                    }
                    else
                    {
                        FreshStart(instance, "restarted by the operator", decisions);
                    }
                }

                break;
            case OperatorAction.Scale when command.Replicas >= 0:
                service.DesiredReplicas = command.Replicas;
                ApplyReplicas(service, decisions);
                break;
        }
    }

    /// <summary>An operator's start: no backoff, a clean failure count, waiting for the dependencies again.</summary>
    private void FreshStart(InstanceEntry instance, string reason, ICollection<SupervisorDecision> decisions)
    {
        instance.Consecutive = 0;
        instance.RecentRestarts.Clear();
        instance.WakeAt = null;
        ChangeState(instance, ServiceState.Waiting, reason, decisions);
    }

    private void ApplyReplicas(ServiceEntry service, ICollection<SupervisorDecision> decisions)
    {
        for (var index = 0; index < service.DesiredReplicas; index++)
        {
            var existing = service.Instances.Find(instance => instance.Id.Index == index);
            if (existing is null)
            {
                var added = new InstanceEntry(service, index, Now);
                if (service.OperatorStopped)
                {
                    added.State = ServiceState.Stopped;
                    added.Reason = "stopped by the operator";
                }

                service.Instances.Add(added);
                service.Instances.Sort((a, b) => a.Id.Index.CompareTo(b.Id.Index));
            }
            else if (existing.PendingRemoval && existing.State == ServiceState.Stopping)
            {
                // Scaled down and up again before it ended: it starts again once it has.
                existing.PendingRemoval = false;
                existing.StopCause = StopCause.OperatorRestart;
            }
        }

        foreach (var instance in service.Instances.ToArray())
        {
            if (instance.Id.Index >= service.DesiredReplicas && !instance.PendingRemoval)
            {
                instance.PendingRemoval = true;
                RequestStop(instance, StopCause.Removed, decisions);
            }
        }
    }

    private void OnShutdown(bool force, ICollection<SupervisorDecision> decisions)
    {
        _shuttingDown = true;
        if (!force)
        {
            return; // AdvanceShutdown stops the trees in reverse dependency order
        }

        foreach (var service in _services)
        {
            foreach (var instance in service.Instances)
            {
                if (instance.State == ServiceState.Starting || (instance.State == ServiceState.Stopping && instance.Pid is null))
                {
                    instance.StopCause = StopCause.Shutdown;
                    instance.StopPending = true;
                    ChangeState(instance, ServiceState.Stopping, "forced shutdown (before it started)", decisions);
                }
                else if (instance.Pid is not null && instance.IsAlive && !instance.KillSent)
                {
                    instance.KillSent = true;
                    if (instance.State != ServiceState.Stopping || instance.StopCause != StopCause.Removed)
                    {
                        instance.StopCause = StopCause.Shutdown;
                    }

                    decisions.Add(new SupervisorDecision.KillInstance(Now, instance.Id, instance.RunId));
                    ChangeState(instance, ServiceState.Stopping, "forced shutdown: SIGKILL", decisions);
                }
            }
        }
    }

    private void AdvanceShutdown(ICollection<SupervisorDecision> decisions)
    {
        foreach (var service in _services.ToArray())
        {
            foreach (var instance in service.Instances.ToArray())
            {
                if (instance.State is ServiceState.Waiting or ServiceState.Restarting or ServiceState.Failed)
                {
                    instance.WakeAt = null;
                    ChangeState(instance, ServiceState.Stopped, StopWords(StopCause.Shutdown), decisions);
                }
                else if (instance.State is ServiceState.Running or ServiceState.Ready or ServiceState.Starting && !HasLiveDependents(service))
                {
                    RequestStop(instance, StopCause.Shutdown, decisions);
                }
            }
        }

        if (_shutdownCompleted)
        {
            return;
        }

        foreach (var service in _services)
        {
            foreach (var instance in service.Instances)
            {
                if (instance.IsAlive)
                {
                    return;
                }
            }
        }

        _shutdownCompleted = true;
        decisions.Add(new SupervisorDecision.ShutdownCompleted(Now));
    }

    /// <summary>True while a service that depends on <paramref name="service"/> still has a process.</summary>
    private bool HasLiveDependents(ServiceEntry service)
    {
        foreach (var other in _services)
        {
            var depends = false;
            foreach (var dependency in other.Definition.DependsOn)
            {
                depends |= string.Equals(dependency.Service, service.Name, StringComparison.Ordinal);
            }

            if (!depends)
            {
                continue;
            }

            foreach (var instance in other.Instances)
            {
                if (instance.IsAlive)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static string StopWords(StopCause cause) => cause switch
    {
        StopCause.Operator => "stopped by the operator",
        StopCause.OperatorRestart => "restarting at the operator's request",
        StopCause.Shutdown => "stopped: the supervisor is shutting down",
        StopCause.LivenessFailed => "liveness failed: stopping to restart",
        StopCause.Reload => "restarting with the new configuration",
        _ => "removed",
    };
}
