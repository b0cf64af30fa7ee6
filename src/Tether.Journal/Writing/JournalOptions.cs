using Tether.Journaling.Internal;

namespace Tether.Journaling;

/// <summary>How a <see cref="Journal"/> writes. Every limit is checked when the journal is opened.</summary>
public sealed record JournalOptions
{
    /// <summary>The largest value of <see cref="MaxRecordBytes"/> and <see cref="MaxBatchBytes"/>: 16 MiB.</summary>
    public const int MaxLineLimit = 16 * 1024 * 1024;

    /// <summary>Whether opening creates the directory and the journal when they do not exist (the default). When false,
    /// opening a directory without a journal throws instead: what a tool that appends to or prunes an existing journal
    /// wants.</summary>
    public bool CreateIfMissing { get; init; } = true;

    /// <summary>When appends are acknowledged; default <see cref="Durability.Synced"/>.</summary>
    public Durability Durability { get; init; } = Durability.Synced;

    /// <summary>With <see cref="Durability.Buffered"/>: the longest an acknowledged record waits for its fdatasync;
    /// default 100 ms, 1 ms to 1 min.</summary>
    public TimeSpan BufferedSyncInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>A new segment is started when the next record would make the current one larger than this (a segment
    /// holding a single record may be larger); default 64 MiB, at least 4 KiB.</summary>
    public long SegmentMaxBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>The largest line (JSON and newline, counting a 20-digit seq) a record may take; larger ones are refused with
    /// <see cref="JournalRecordTooLargeException"/>. Default 1 MiB, 256 B to 16 MiB.</summary>
    public int MaxRecordBytes { get; init; } = 1024 * 1024;

    /// <summary>How many appends may wait for the writer; further callers wait for room (counted in
    /// <see cref="JournalCounters.QueueFullWaits"/>). Default 4096, 1 to 1,000,000.</summary>
    public int QueueCapacity { get; init; } = 4096;

    /// <summary>The most records one commit (one write, one fdatasync) takes; default 1024, 1 to 65,536.</summary>
    public int MaxBatchRecords { get; init; } = 1024;

    /// <summary>The most bytes one commit writes; default 4 MiB, from <see cref="MaxRecordBytes"/> to 16 MiB.</summary>
    public int MaxBatchBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>Old segments to delete automatically after each rotation; null (the default) keeps everything. The same
    /// policy can be applied on demand with <see cref="Journal.PruneAsync"/>.</summary>
    public RetentionPolicy? Retention { get; init; }

    /// <summary>The clock for timestamps, retention by age and the buffered sync interval.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Test seam: makes chosen system calls fail, to show what a caller sees on an I/O error.</summary>
    internal FaultInjection? Faults { get; init; }

    internal void Validate()
    {
        if (!Enum.IsDefined(Durability))
        {
            throw new ArgumentOutOfRangeException(nameof(Durability), Durability, "Unknown durability.");
        }

        Range(nameof(BufferedSyncInterval), BufferedSyncInterval, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(1));
        Range(nameof(MaxRecordBytes), MaxRecordBytes, 256, MaxLineLimit);
        Range(nameof(SegmentMaxBytes), SegmentMaxBytes, 4096L, long.MaxValue);
        Range(nameof(QueueCapacity), QueueCapacity, 1, 1_000_000);
        Range(nameof(MaxBatchRecords), MaxBatchRecords, 1, 65_536);
        Range(nameof(MaxBatchBytes), MaxBatchBytes, MaxRecordBytes, MaxLineLimit);
        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
        Retention?.Validate();
    }

    private static void Range<T>(string name, T value, T min, T max)
        where T : IComparable<T>
    {
        if (value.CompareTo(min) < 0 || value.CompareTo(max) > 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"JournalOptions.{name} must be between {min} and {max}.");
        }
    }
}
