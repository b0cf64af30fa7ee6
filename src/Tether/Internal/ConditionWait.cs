namespace Tether.Internal;

/// <summary>
/// Waits for a condition the kernel does not announce (a cgroup emptying, its directory becoming removable) by
/// checking it again after growing pauses on a <see cref="TimeProvider"/>'s timers: 1 ms, 2 ms, 4 ms … up to
/// <see cref="LongestPause"/>, until a limit measured on the same provider. No wall-clock read decides anything here,
/// so a virtual clock drives the wait in specs.
/// </summary>
internal static class ConditionWait
{
    /// <summary>The first pause after a failed check.</summary>
    public static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(1);

    /// <summary>The longest pause between two checks.</summary>
    public static readonly TimeSpan LongestPause = TimeSpan.FromMilliseconds(64);

    /// <summary>
    /// Returns true as soon as <paramref name="condition"/> holds (checked at once, then after each pause), or false
    /// once <paramref name="limit"/> has passed on <paramref name="time"/> without it holding.
    /// </summary>
    public static async Task<bool> UntilAsync(Func<bool> condition, TimeSpan limit, TimeProvider time)
    {
        var start = time.GetTimestamp();
        var pause = FirstPause;
        while (!condition())
        {
            var left = limit - time.GetElapsedTime(start);
            if (left <= TimeSpan.Zero)
            {
                return false;
            }

            await Task.Delay(pause < left ? pause : left, time).ConfigureAwait(false);
            pause = pause * 2 < LongestPause ? pause * 2 : LongestPause;
        }

        return true;
    }
}
