namespace Tether.Watch.Engine;

/// <summary>
/// A rate limiter on the engine's clock: <c>rate</c> tokens per second, holding at most one second's worth (the burst).
/// Tokens are counted in ticks-scaled integers, so no floating point decides anything.
/// </summary>
internal struct TokenBucket
{
    private long _tokens; // tokens × TimeSpan.TicksPerSecond
    private TimeSpan _refilledAt;

    public static TokenBucket Full(int rate, TimeSpan now) => new() { _tokens = rate * TimeSpan.TicksPerSecond, _refilledAt = now };

    /// <summary>Takes one token if there is one.</summary>
    public bool TryTake(int rate, TimeSpan now)
    {
        var capacity = rate * TimeSpan.TicksPerSecond;
        var elapsed = now - _refilledAt;
        if (elapsed > TimeSpan.Zero)
        {
            _tokens = elapsed >= TimeSpan.FromSeconds(1) ? capacity : Math.Min(capacity, _tokens + (elapsed.Ticks * rate));
            _refilledAt = now;
        }

        if (_tokens < TimeSpan.TicksPerSecond)
        {
            return false;
        }

        _tokens -= TimeSpan.TicksPerSecond;
        return true;
    }
}
