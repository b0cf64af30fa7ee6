namespace Tether.Lab;

/// <summary>
/// Where a reader stopped before the end of a file, and why: the rest of the file was not used. A torn last chunk is
/// what a crash leaves; damage in the middle is reported the same way, because a reader never skips a damaged chunk
/// to read on past it.
/// </summary>
/// <param name="Offset">The byte offset of the first chunk not read.</param>
/// <param name="ChunkIndex">Its index (from 0).</param>
/// <param name="EventIndex">The index of the first event not recovered.</param>
/// <param name="Reason">What was wrong there.</param>
/// <param name="Torn">True when the file simply ends inside the chunk (a crash while writing), false for damage.</param>
public sealed record TraceStop(long Offset, int ChunkIndex, long EventIndex, string Reason, bool Torn)
{
    /// <inheritdoc/>
    public override string ToString() =>
        $"{(Torn ? "torn" : "damaged")} chunk {ChunkIndex} at byte {Offset} ({Reason}); events from {EventIndex} on were not recovered";
}
