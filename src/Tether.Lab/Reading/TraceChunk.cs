namespace Tether.Lab;

/// <summary>One valid chunk of a trace file.</summary>
/// <param name="Offset">Where the chunk starts in the file.</param>
/// <param name="PayloadOffset">Where its events start.</param>
/// <param name="PayloadLength">Bytes of events.</param>
/// <param name="EventCount">Events in the chunk.</param>
/// <param name="FirstEventIndex">The index of its first event over the whole recording.</param>
/// <param name="Checkpoint">The running decision hash after its last event.</param>
public sealed record TraceChunk(long Offset, int PayloadOffset, int PayloadLength, int EventCount, long FirstEventIndex, ulong Checkpoint);
