namespace Tether.Journaling;

/// <summary>A record was refused because its line would exceed <see cref="JournalOptions.MaxRecordBytes"/>. Nothing was
/// written. Cut long text with <see cref="Utf8Text.Cut(string, int, CutKeep)"/> before appending.</summary>
public sealed class JournalRecordTooLargeException : JournalException
{
    internal JournalRecordTooLargeException(string type, long size, int limit)
        : base($"A '{type}' record of {size} bytes exceeds the journal's limit of {limit} bytes per record; nothing was written. Cut long text (Utf8Text.Cut) or raise JournalOptions.MaxRecordBytes.")
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
