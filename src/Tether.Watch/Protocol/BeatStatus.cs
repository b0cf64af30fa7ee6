namespace Tether.Watch;

/// <summary>The health an agent reports in a heartbeat (VLP v0.2 status byte).</summary>
public enum BeatStatus : byte
{
    /// <summary>Healthy.</summary>
    Ok = 0,

    /// <summary>Working, but impaired.</summary>
    Degraded = 1,

    /// <summary>Failing; with the all-ones nonce, the agent's last word before it terminates.</summary>
    Critical = 2,

    /// <summary>The observer's own verdict that an agent went silent. Never valid on the wire.</summary>
    Stall = 3,
}
