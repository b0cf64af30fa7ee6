namespace Tether.Supervisor;

/// <summary>The engine's record of one service: its definition now, its instances, and the operator's wishes.</summary>
internal sealed class ServiceEntry(ServiceDefinition definition)
{
    /// <summary>The definition new instances start from (a reload replaces it).</summary>
    public ServiceDefinition Definition { get; set; } = definition;

    /// <summary>The instances, by index; scaled-down and removed ones stay until their process ended.</summary>
    public List<InstanceEntry> Instances { get; } = [];

    /// <summary>How many instances should run.</summary>
    public int DesiredReplicas { get; set; } = definition.Replicas;

    /// <summary>An operator stopped it: nothing restarts or starts it until an operator starts it again.</summary>
    public bool OperatorStopped { get; set; }

    /// <summary>A reload removed it: it leaves the table once its instances ended.</summary>
    public bool Removed { get; set; }

    /// <summary>The service's name.</summary>
    public string Name => Definition.Name;
}
