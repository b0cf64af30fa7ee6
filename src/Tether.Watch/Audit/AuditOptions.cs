namespace Tether.Watch;

/// <summary>How an <see cref="AuditLog"/> rotates its file and where its timestamps come from.</summary>
public sealed record AuditOptions
{
    /// <summary>The smallest <see cref="MaxBytes"/> accepted: room for a header and a few rows.</summary>
    public const long MinimumMaxBytes = 1024;

    /// <summary>The most <see cref="Generations"/> accepted.</summary>
    public const int MaximumGenerations = 1000;

    /// <summary>
    /// The size a file may reach before the log rotates: when appending a row would take the file past it, the file
    /// becomes <c>FILE.1</c> and a new <c>FILE</c> begins. A file with no rows yet takes the next row whatever its
    /// size, so a single row larger than this still gets written. Default 8 MiB; at least <see cref="MinimumMaxBytes"/>.
    /// </summary>
    public long MaxBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>
    /// How many rotated files to keep (<c>FILE.1</c> newest … <c>FILE.N</c> oldest); rotation deletes the one that
    /// would become <c>FILE.N+1</c>. Default 5; 1 to <see cref="MaximumGenerations"/>.
    /// </summary>
    public int Generations { get; init; } = 5;

    /// <summary>The clock of the rows' timestamps (UTC). Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
