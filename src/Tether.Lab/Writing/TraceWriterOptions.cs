namespace Tether.Lab;

/// <summary>How a <see cref="TraceWriter{TInput}"/> cuts a recording into chunks and files.</summary>
public sealed record TraceWriterOptions
{
    /// <summary>The smallest <see cref="MaxFileBytes"/> allowed: 256 KiB.</summary>
    public const long MinFileBytes = 256 * 1024;

    /// <summary>The size a file may not grow past; then it is rotated [default: 64 MiB, at least 256 KiB].</summary>
    public long MaxFileBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>How many rotated files (<c>FILE.1</c> … <c>FILE.N</c>) are kept besides the live one [default: 3, 0 to 100]; the whole recording never takes more than (N + 1) × <see cref="MaxFileBytes"/>.</summary>
    public int Generations { get; init; } = 3;

    /// <summary>A chunk is sealed (checksummed, written) after this many events [default: 4096].</summary>
    public int ChunkEvents { get; init; } = 4096;

    /// <summary>A chunk is sealed once its payload reaches this many bytes [default: 32 KiB].</summary>
    public int ChunkBytes { get; init; } = 32 * 1024;

    /// <summary>A chunk is sealed when an event arrives this long (on the engine's clock) after the chunk's first, so a crash loses at most about this much [default: 1s].</summary>
    public TimeSpan SealAfter { get; init; } = TimeSpan.FromSeconds(1);

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxFileBytes, MinFileBytes, nameof(MaxFileBytes));
        ArgumentOutOfRangeException.ThrowIfNegative(Generations, nameof(Generations));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Generations, 100, nameof(Generations));
        ArgumentOutOfRangeException.ThrowIfLessThan(ChunkEvents, 1, nameof(ChunkEvents));
        ArgumentOutOfRangeException.ThrowIfLessThan(ChunkBytes, 64, nameof(ChunkBytes));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ChunkBytes, TraceFormat.MaxChunkPayload / 2, nameof(ChunkBytes));
    }
}
