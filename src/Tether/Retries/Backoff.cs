namespace Tether;

/// <summary>
/// How long to wait before each retry: exponential growth from <see cref="InitialDelay"/> by <see cref="Multiplier"/>,
/// capped at <see cref="MaxDelay"/>, with a random part (<see cref="Jitter"/>) so that many clients failing together
/// do not retry together. An immutable value; the delays are waited on the runner's <see cref="TimeProvider"/>.
/// </summary>
public sealed record Backoff
{
    private readonly TimeSpan _initialDelay = TimeSpan.FromMilliseconds(100);
    private readonly double _multiplier = 2;
    private readonly TimeSpan _maxDelay = TimeSpan.FromSeconds(30);
    private readonly double _jitter = 0.5;

    /// <summary>100 ms, doubling, at most 30 s, half of each delay random.</summary>
    public static Backoff Default { get; } = new();

    /// <summary>Exponential backoff from <paramref name="initialDelay"/>, doubling up to <paramref name="maxDelay"/> (default 30 s).</summary>
    public static Backoff Exponential(TimeSpan initialDelay, TimeSpan? maxDelay = null) =>
        new() { InitialDelay = initialDelay, MaxDelay = maxDelay ?? Default.MaxDelay };

    /// <summary>The same delay before every retry, without jitter.</summary>
    public static Backoff Constant(TimeSpan delay) => new() { InitialDelay = delay, MaxDelay = delay, Multiplier = 1, Jitter = 0 };

    /// <summary>The delay before the first retry (before jitter). Zero or more.</summary>
    public TimeSpan InitialDelay
    {
        get => _initialDelay;
        init => _initialDelay = value >= TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(InitialDelay), value, "A backoff delay cannot be negative.");
    }

    /// <summary>How much each delay grows over the previous one (1 or more; 2 doubles).</summary>
    public double Multiplier
    {
        get => _multiplier;
        init => _multiplier = value >= 1 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(Multiplier), value, "The backoff multiplier must be a finite number of at least 1.");
    }

    /// <summary>No delay (before jitter) is longer than this.</summary>
    public TimeSpan MaxDelay
    {
        get => _maxDelay;
        init => _maxDelay = value >= TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(MaxDelay), value, "A backoff delay cannot be negative.");
    }

    /// <summary>
    /// The random part of each delay, from 0 (none) to 1 (anywhere from zero to the full delay): a delay <c>d</c> becomes
    /// a value in <c>[d × (1 − Jitter), d]</c>, so jitter never makes a delay longer than <see cref="MaxDelay"/>.
    /// </summary>
    public double Jitter
    {
        get => _jitter;
        init => _jitter = value is >= 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Jitter), value, "Jitter is a fraction from 0 to 1.");
    }

    /// <summary>
    /// A seed for the jitter's random source, so the delays of a run are reproducible (each run starts the sequence
    /// afresh); null draws from a shared random source.
    /// </summary>
    public int? Seed { get; init; }

    /// <summary>The delay before retry number <paramref name="retry"/> (1 for the first retry), jitter drawn from <paramref name="random"/>.</summary>
    internal TimeSpan DelayBefore(int retry, Random random)
    {
        var grown = InitialDelay.Ticks * Math.Pow(Multiplier, retry - 1);
        var capped = Math.Min(grown, MaxDelay.Ticks);
        var jittered = capped * (1 - (Jitter * random.NextDouble()));
        return TimeSpan.FromTicks((long)jittered);
    }

    /// <summary>A random source for one run: seeded when <see cref="Seed"/> is set.</summary>
    internal Random NewRandom() => Seed is { } seed ? new Random(seed) : Random.Shared;
}
