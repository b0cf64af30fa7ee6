namespace Tether.Supervisor;

/// <summary>
/// How many restarts are allowed in a window (<c>start_limit:</c>): more than <see cref="Burst"/> restarts within
/// <see cref="Interval"/> and the service is given up (<see cref="ServiceState.Failed"/>, with the reason, in the
/// journal). With <see cref="RetryAfter"/> it is tried again after that long; without, it waits for an operator.
/// </summary>
/// <param name="Burst">Restarts allowed within the interval.</param>
/// <param name="Interval">The sliding window.</param>
/// <param name="RetryAfter">When to try a failed service again, or null to wait for <c>tether start</c>.</param>
public sealed record StartLimit(int Burst, TimeSpan Interval, TimeSpan? RetryAfter = null)
{
    /// <summary>5 restarts in 60 s, then failed until an operator starts it.</summary>
    public static StartLimit Default { get; } = new(5, TimeSpan.FromSeconds(60));
}
