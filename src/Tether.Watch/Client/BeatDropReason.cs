namespace Tether.Watch;

/// <summary>Why the client dropped a heartbeat rather than send it (<see cref="BeatOutcome.Dropped"/>).</summary>
public enum BeatDropReason
{
    /// <summary>The beat was not dropped.</summary>
    None = 0,

    /// <summary>
    /// The watcher's queue (or this socket's send buffer) is full: the watcher is not reading fast enough. The client
    /// never waits for room, so the beat is dropped.
    /// </summary>
    QueueFull = 1,

    /// <summary>
    /// Nobody listens at the address: over a Unix socket the path does not exist or no watcher is bound to it; over UDP
    /// the last datagram came back as "port unreachable". The client retries the connection on later beats.
    /// </summary>
    NoWatcher = 2,

    /// <summary>
    /// The watcher this client was sending to went away (its Unix socket was closed). The client reconnects on later
    /// beats, so a restarted watcher receives them again.
    /// </summary>
    PeerGone = 3,
}
