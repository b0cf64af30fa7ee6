namespace Tether.Journaling.Tests.Infrastructure;

/// <summary>
/// Generous limits for "eventually" on a noisy shared 2-core machine. Nothing asserts that something is fast; these
/// only turn a hang into a failure.
/// </summary>
internal static class Bounds
{
    /// <summary>How long anything that should happen "soon" may take before the spec fails.</summary>
    public static readonly TimeSpan Eventually = TimeSpan.FromSeconds(30);

    /// <summary>Waits for <paramref name="task"/>, failing with <see cref="TimeoutException"/> after <see cref="Eventually"/>.</summary>
    public static Task<T> Soon<T>(this Task<T> task) => task.WaitAsync(Eventually);

    /// <inheritdoc cref="Soon{T}(Task{T})"/>
    public static Task Soon(this Task task) => task.WaitAsync(Eventually);

    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="within"/> passed; returns its last value.</summary>
    public static async Task<bool> EventuallyAsync(Func<bool> condition, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? Eventually);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(20);
        }

        return true;
    }
}
