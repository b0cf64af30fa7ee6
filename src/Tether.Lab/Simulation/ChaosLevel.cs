namespace Tether.Lab;

/// <summary>How hostile a simulated world is.</summary>
public enum ChaosLevel
{
    /// <summary>Well-behaved agents: jitter and stalls only.</summary>
    None,

    /// <summary>Now and then: pid reuse, a clock running back, duplicated, dropped and reordered datagrams, a spoofed sender.</summary>
    Light,

    /// <summary>All of those often, plus floods and garbage.</summary>
    Heavy,
}
