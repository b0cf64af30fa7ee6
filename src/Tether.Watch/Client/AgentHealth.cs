namespace Tether.Watch;

/// <summary>What an agent reports in its next heartbeat: its status and an application value.</summary>
/// <param name="Status">The agent's health: <see cref="BeatStatus.Ok"/>, <see cref="BeatStatus.Degraded"/> or <see cref="BeatStatus.Critical"/>.</param>
/// <param name="Payload">An application value, such as a queue depth or a progress counter.</param>
public readonly record struct AgentHealth(BeatStatus Status, uint Payload = 0)
{
    /// <summary>Healthy, payload 0.</summary>
    public static AgentHealth Ok => new(BeatStatus.Ok);
}
