namespace Tether.Journaling;

/// <summary>When <see cref="Journal.AppendAsync"/> returns, relative to the record reaching stable storage.</summary>
public enum Durability
{
    /// <summary>
    /// Return only after the record is on stable storage (fdatasync). Concurrent appends share one write and one
    /// fdatasync (group commit). Nothing acknowledged is ever lost, not even to a power failure.
    /// </summary>
    Synced,

    /// <summary>
    /// Return once the record is written to the file (the OS page cache), and fdatasync at most every
    /// <see cref="JournalOptions.BufferedSyncInterval"/>. A crash of the process loses nothing; a power failure or an OS
    /// crash can lose the records acknowledged in the last interval (plus one fdatasync's duration).
    /// </summary>
    Buffered,
}
