namespace Tether.Journaling;

/// <summary>A segment file as listed, without reading it.</summary>
/// <param name="Name">The file name, e.g. <c>00000000000000000001.jsonl</c>.</param>
/// <param name="FirstSeq">The seq of its first record, from its name.</param>
/// <param name="Bytes">Its size when listed.</param>
public sealed record JournalSegment(string Name, ulong FirstSeq, long Bytes);
