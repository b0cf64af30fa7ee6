namespace Tether.Watch;

/// <summary>
/// How many heartbeats a <see cref="HeartbeatClient"/> sent and how many it could not send, by reason, since it was
/// created. The terminal frame counts like any beat.
/// </summary>
/// <param name="Sent">Beats the kernel accepted.</param>
/// <param name="QueueFull">Beats dropped because the watcher's queue was full.</param>
/// <param name="NoWatcher">Beats dropped because nobody listened.</param>
/// <param name="PeerGone">Beats dropped because the watcher went away.</param>
/// <param name="Failed">Beats the operating system refused for another reason.</param>
public readonly record struct HeartbeatCounters(long Sent, long QueueFull, long NoWatcher, long PeerGone, long Failed)
{
    /// <summary>Beats dropped, whatever the reason.</summary>
    public long Dropped => QueueFull + NoWatcher + PeerGone;

    /// <summary>Every beat attempted.</summary>
    public long Total => Sent + Dropped + Failed;
}
