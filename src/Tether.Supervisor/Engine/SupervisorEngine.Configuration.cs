namespace Tether.Supervisor;

/// <summary>The first configuration and reloads: new services start, removed ones stop, changed ones restart, replicas scale.</summary>
public sealed partial class SupervisorEngine
{
    private void Apply(ServiceSet set, ICollection<SupervisorDecision> decisions)
    {
        ArgumentNullException.ThrowIfNull(set);
        if (_shuttingDown)
        {
            return;
        }

        _set = set;
        var ordered = new List<ServiceEntry>(set.Services.Count);
        foreach (var definition in set.Services)
        {
            var service = FindService(definition.Name);
            if (service is null || service.Removed)
            {
                if (service is not null)
                {
                    // Removed by an earlier reload and back before its instances ended: let those end, start afresh.
                    _services.Remove(service);
                }

                service = new ServiceEntry(definition);
                ApplyReplicas(service, decisions);
            }
            else
            {
                Change(service, definition, decisions);
            }

            ordered.Add(service);
        }

        foreach (var service in _services)
        {
            if (!ordered.Contains(service) && !service.Removed)
            {
                service.Removed = true;
                foreach (var instance in service.Instances.ToArray())
                {
                    instance.PendingRemoval = true;
                    RequestStop(instance, StopCause.Removed, decisions);
                }
            }
        }

        foreach (var service in _services)
        {
            if (!ordered.Contains(service) && service.Instances.Count > 0)
            {
                ordered.Add(service); // removed, still ending
            }
        }

        _services.Clear();
        _services.AddRange(ordered);
    }

    private void Change(ServiceEntry service, ServiceDefinition definition, ICollection<SupervisorDecision> decisions)
    {
        var changed = !string.Equals(service.Definition.Fingerprint, definition.Fingerprint, StringComparison.Ordinal);
        service.Definition = definition;
        if (changed)
        {
            foreach (var instance in service.Instances.ToArray())
            {
                if (instance.PendingRemoval)
                {
                    continue;
                }

                if (instance.IsAlive)
                {
                    instance.NextDefinition = definition;
                    RequestStop(instance, StopCause.Reload, decisions);
                }
                else
                {
                    instance.Definition = definition;
                    if (instance.State != ServiceState.Stopped || !service.OperatorStopped)
                    {
                        FreshStart(instance, "restarting with the new configuration", decisions);
                    }
                }
            }
        }

        if (service.DesiredReplicas != definition.Replicas)
        {
            service.DesiredReplicas = definition.Replicas;
            ApplyReplicas(service, decisions);
        }
    }
}
