namespace Tether.Watch;

/// <summary>What every listener needs besides its address.</summary>
public sealed record BeatListenerOptions
{
    /// <summary>The default <see cref="QueueCapacity"/>.</summary>
    public const int DefaultQueueCapacity = 4096;

    /// <summary>
    /// How many received datagrams may wait for the engine; a datagram arriving when that many wait is dropped and
    /// counted (<see cref="IBeatListener.DroppedQueueFull"/>). At least 1.
    /// </summary>
    public int QueueCapacity { get; init; } = DefaultQueueCapacity;

    /// <summary>The clock that stamps each datagram's <see cref="ReceivedDatagram.Timestamp"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// Called on the listener's receive thread after it has queued one or more datagrams: how the watcher's loop learns
    /// there is work without a thread-pool hop per datagram. Null when nobody needs telling (readers wait on the channel).
    /// </summary>
    internal Action? Arrived { get; init; }

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(QueueCapacity, 1, nameof(QueueCapacity));
        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
    }
}
