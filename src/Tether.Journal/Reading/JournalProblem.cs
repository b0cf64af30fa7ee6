using System.Globalization;

namespace Tether.Journaling;

/// <summary>One place where the journal is not what the format promises, with enough to find it: the segment, the byte
/// offset, and the seq when one is known.</summary>
public sealed class JournalProblem
{
    internal JournalProblem(JournalProblemKind kind, string segment, long offset, long length, ulong? seq, string detail)
    {
        Kind = kind;
        Segment = segment;
        Offset = offset;
        Length = length;
        Seq = seq;
        Detail = detail;
    }

    /// <summary>What is wrong.</summary>
    public JournalProblemKind Kind { get; }

    /// <summary>The segment file name.</summary>
    public string Segment { get; }

    /// <summary>The byte offset in the segment where the problem starts.</summary>
    public long Offset { get; }

    /// <summary>How many bytes are affected (0 for problems between records, such as a seq gap).</summary>
    public long Length { get; }

    /// <summary>The seq concerned: for a gap the first missing one, for a step back the seq found; for a damaged line the
    /// seq that was expected there (the next after the last good record), when known.</summary>
    public ulong? Seq { get; }

    /// <summary>The details, in words.</summary>
    public string Detail { get; }

    /// <summary>One line: kind, segment, offset, seq and details.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Kind} in {Segment} at offset {Offset}{(Seq is { } s ? $" (seq {s})" : "")}: {Detail}");
}
