namespace Tether.Journaling;

/// <summary>A segment retention deleted.</summary>
/// <param name="Name">The segment file name.</param>
/// <param name="FirstSeq">The seq of its first record (from its name).</param>
/// <param name="Bytes">Its size.</param>
/// <param name="Reason">Which limit deleted it.</param>
public sealed record PrunedSegment(string Name, ulong FirstSeq, long Bytes, PruneReason Reason);
