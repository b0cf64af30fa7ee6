namespace Tether.Journaling;

/// <summary>What is wrong at a place in the journal.</summary>
public enum JournalProblemKind
{
    /// <summary>The line's stored CRC-32C does not match its bytes.</summary>
    BadChecksum,

    /// <summary>The line is not a record: not JSON, no checksum member, a required member missing or of the wrong kind.</summary>
    Malformed,

    /// <summary>A line is longer than the reader's limit (no newline within it).</summary>
    LineTooLong,

    /// <summary>A segment other than the last ends without a newline.</summary>
    MissingNewline,

    /// <summary>One or more sequence numbers are missing between two records.</summary>
    SeqGap,

    /// <summary>A record's seq is not greater than the one before it (a duplicate or a step back); the record is skipped.</summary>
    SeqNotIncreasing,

    /// <summary>A segment's file name does not match the seq of its first record.</summary>
    SegmentNameMismatch,

    /// <summary>A segment other than the last holds no record.</summary>
    EmptySegment,

    /// <summary>
    /// The line's checksum is right, but a string in it (<c>type</c>, <c>job</c>, <c>data</c> or a member name) is not
    /// Unicode text: an invalid UTF-8 byte or an unpaired surrogate escape such as <c>\ud800</c>. The record was written
    /// whole and keeps its seq (no gap is reported for it), but it cannot be read.
    /// </summary>
    InvalidText,

    /// <summary>A segment name in the directory is a symbolic link or not a regular file; the journal never follows it.</summary>
    NotARegularFile,
}
