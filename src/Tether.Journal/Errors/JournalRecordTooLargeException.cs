namespace Tether.Journaling;

/// <summary>A record was refused because its line would exceed <see cref="JournalOptions.MaxRecordBytes"/>. Nothing was
/// written. Cut long text to a byte budget before appending it.</summary>
public sealed class JournalRecordTooLargeException : JournalException
{
    internal JournalRecordTooLargeException(string type, long size, int limit)
        : base($"A '{type}' record of {size} bytes exceeds the journal's limit of {limit} bytes per record; nothing was written. Cut long text before appending it, or raise JournalOptions.MaxRecordBytes.")
    {
        Type = type;
        Size = size;
        Limit = limit;
    }

    /// <summary>The record's type.</summary>
    public string Type { get; }

    /// <summary>The size the line would have had (counting the longest possible seq).</summary>
    public long Size { get; }

    /// <summary>The limit in force.</summary>
    public int Limit { get; }
}
