namespace Tether.Supervisor;

/// <summary>One probe of one run: when it is due, the check in flight, and the consecutive results.</summary>
internal sealed class ProbeTracker
{
    public ProbeDefinition? Definition { get; private set; }

    public bool Active { get; private set; }

    /// <summary>Results before this time do not count (the probe's initial delay).</summary>
    public TimeSpan ActiveFrom { get; private set; }

    /// <summary>When a polled probe runs next.</summary>
    public TimeSpan DueAt { get; set; }

    /// <summary>The check in flight (0: none).</summary>
    public long InFlightId { get; set; }

    /// <summary>When a check in flight that never answered counts as failed.</summary>
    public TimeSpan InFlightDeadline { get; set; }

    public int Successes { get; set; }

    public int Failures { get; set; }

    public Health Health { get; set; }

    public void Activate(ProbeDefinition definition, TimeSpan now)
    {
        Definition = definition;
        Active = true;
        ActiveFrom = now + definition.InitialDelay;
        DueAt = ActiveFrom;
        InFlightId = 0;
        Successes = 0;
        Failures = 0;
        Health = Health.Unknown;
    }

    public void Deactivate()
    {
        Active = false;
        InFlightId = 0;
    }

    public void Reset()
    {
        Deactivate();
        Definition = null;
        Health = Health.Unknown;
        Successes = 0;
        Failures = 0;
    }
}
