global using Microsoft.Extensions.Time.Testing;

namespace Tether.Tests.Infrastructure;

/// <summary>
/// The specs' virtual clock is <see cref="FakeTimeProvider"/>: time stands still until <c>Advance</c> moves it, and
/// timers (including those behind <c>Task.Delay(…, provider)</c>) fire during that call, in due order. These helpers
/// give every spec the same starting instant and a way to drive a run whose timers are created one after another.
/// </summary>
internal static class VirtualClock
{
    /// <summary>The instant every virtual clock starts at.</summary>
    public static readonly DateTimeOffset Epoch = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A virtual clock standing at <see cref="Epoch"/>.</summary>
    public static FakeTimeProvider Create() => new(Epoch);

    /// <summary>Virtual time elapsed since the clock was created.</summary>
    public static TimeSpan Elapsed(this FakeTimeProvider clock) => clock.GetUtcNow() - clock.Start;

    /// <summary>
    /// Advances the clock by <paramref name="step"/> again and again until <paramref name="task"/> completes (timers
    /// created along the way, such as a grace period that starts after a timeout, fire too), then returns its result.
    /// Fails after <see cref="Bounds.Eventually"/> of real time.
    /// </summary>
    public static async Task<T> AdvanceUntilAsync<T>(this FakeTimeProvider clock, Task<T> task, TimeSpan step)
    {
        // Real time bounds the spec itself, so that a run the clock cannot finish fails instead of hanging.
        var started = TimeProvider.System.GetTimestamp();
        while (!task.IsCompleted)
        {
            if (TimeProvider.System.GetElapsedTime(started) > Bounds.Eventually)
            {
                throw new TimeoutException($"The task did not complete although the virtual clock advanced to {clock.Elapsed()}.");
            }

            clock.Advance(step);
            await Task.WhenAny(task, Task.Delay(20));
        }

        return await task;
    }
}
