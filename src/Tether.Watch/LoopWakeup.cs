namespace Tether.Watch;

/// <summary>
/// How the watcher's loop thread sleeps until it has work: whoever queues an input for it (a listener's receive thread,
/// the tick timer, a stop) rings; the loop clears, drains every queue, and waits. One futex wake per ring at most — no
/// thread-pool item, no spinning — so a beat costs one hand-off from the receive thread to the loop.
/// </summary>
/// <remarks>
/// No ring is lost: the loop resets the event before it clears the flag and only then reads the queues, and a producer
/// queues its input before it sets the flag (both with full fences). A producer that finds the flag already set knows
/// the loop has not cleared it yet, so the loop will read that input; one that sets it sets the event too. Spurious
/// wake-ups are harmless: the loop finds nothing and waits again.
/// </remarks>
internal sealed class LoopWakeup : IDisposable
{
    // No spinning before sleeping: on a shared machine a spinning waiter burns the CPU the watcher is meant to save.
    private readonly ManualResetEventSlim _event = new(initialState: false, spinCount: 0);
    private int _rung;

    /// <summary>Wakes the loop (after the caller has queued its input); cheap when the loop is already awake.</summary>
    public void Ring()
    {
        if (Interlocked.Exchange(ref _rung, 1) == 0)
        {
            _event.Set();
        }
    }

    /// <summary>Called by the loop before it reads the queues: rings from now on wake it again.</summary>
    public void Clear()
    {
        _event.Reset();
        Interlocked.Exchange(ref _rung, 0);
    }

    /// <summary>Sleeps until the next ring (at once when one came since <see cref="Clear"/>).</summary>
    public void Wait() => _event.Wait();

    /// <inheritdoc/>
    public void Dispose() => _event.Dispose();
}
