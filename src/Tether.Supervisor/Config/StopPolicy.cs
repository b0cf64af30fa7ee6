namespace Tether.Supervisor;

/// <summary>How a service is stopped (<c>stop:</c>): <see cref="Signal"/> to its whole tree, then SIGKILL to the whole tree after <see cref="Grace"/>.</summary>
/// <param name="Signal">The first signal.</param>
/// <param name="Grace">How long the tree has to exit before SIGKILL.</param>
public sealed record StopPolicy(Signal Signal, TimeSpan Grace)
{
    /// <summary>SIGTERM, then SIGKILL after 10 s.</summary>
    public static StopPolicy Default { get; } = new(Signal.Terminate, TimeSpan.FromSeconds(10));
}
