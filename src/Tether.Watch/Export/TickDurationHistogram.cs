namespace Tether.Watch;

/// <summary>
/// How long the engine took to handle each input, in fixed buckets from 1 µs to 100 ms (and one beyond), for the
/// <c>tether_watch_engine_tick_duration_seconds</c> histogram. Thread-safe and lock-free: the host observes, the
/// metrics endpoint reads.
/// </summary>
public sealed class TickDurationHistogram
{
    // Upper bounds in ticks (100 ns): 1, 5, 10, 25, 50, 100, 250, 500 µs; 1, 2.5, 5, 10, 25, 50, 100 ms.
    private static readonly long[] UpperBoundTicks = [10, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000];

    private readonly long[] _counts = new long[UpperBoundTicks.Length + 1]; // per bucket, not cumulative; the last is +Inf
    private long _sumTicks;

    /// <summary>The buckets' upper bounds (inclusive), smallest first; durations beyond the last fall in the +Inf bucket.</summary>
    public static IReadOnlyList<TimeSpan> UpperBounds { get; } = [.. UpperBoundTicks.Select(TimeSpan.FromTicks)];

    /// <summary>How many durations were observed.</summary>
    public long Count
    {
        get
        {
            long count = 0;
            for (var i = 0; i < _counts.Length; i++)
            {
                count += Interlocked.Read(ref _counts[i]);
            }

            return count;
        }
    }

    /// <summary>The sum of the durations observed.</summary>
    public TimeSpan Sum => TimeSpan.FromTicks(Interlocked.Read(ref _sumTicks));

    /// <summary>Records one duration; a negative one (a clock that stepped back) counts as zero.</summary>
    public void Observe(TimeSpan duration)
    {
        var ticks = Math.Max(duration.Ticks, 0);
        var bucket = Array.BinarySearch(UpperBoundTicks, ticks);
        if (bucket < 0)
        {
            bucket = ~bucket; // the first bound above it, or the +Inf bucket
        }

        Interlocked.Increment(ref _counts[bucket]);
        Interlocked.Add(ref _sumTicks, ticks);
    }

    /// <summary>
    /// The cumulative counts (one per <see cref="UpperBounds"/> entry, then +Inf, which is the count) and the sum. The
    /// counts are always non-decreasing; under concurrent observations the sum may be one duration ahead or behind.
    /// </summary>
    internal (long[] Cumulative, TimeSpan Sum) Snapshot()
    {
        var cumulative = new long[_counts.Length];
        long running = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            running += Interlocked.Read(ref _counts[i]);
            cumulative[i] = running;
        }

        return (cumulative, Sum);
    }
}
