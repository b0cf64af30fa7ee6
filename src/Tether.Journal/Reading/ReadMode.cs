namespace Tether.Journaling;

/// <summary>What a read does when it meets damage in the middle of the journal. A torn final record is never damage.</summary>
public enum ReadMode
{
    /// <summary>Throw <see cref="JournalCorruptionException"/> naming the segment, the offset and the seq.</summary>
    Strict,

    /// <summary>Skip the damaged bytes, record each problem in the <see cref="JournalReadReport"/>, and go on.</summary>
    Tolerant,
}
