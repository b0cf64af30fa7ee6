namespace Tether;

/// <summary>
/// How much of each output stream (stdout, stderr) a run keeps in memory, and what happens past that.
/// The default keeps up to 64 MiB per stream and fails the run with <see cref="OutputTooLargeException"/> beyond it.
/// </summary>
/// <param name="MaxBytes">Bytes kept per stream; at least 1.</param>
/// <param name="Policy">What to do when a stream produces more.</param>
public sealed record OutputLimit(long MaxBytes, OverflowPolicy Policy)
{
    /// <summary>64 MiB per stream, then fail.</summary>
    public static OutputLimit Default { get; } = new(64L * 1024 * 1024, OverflowPolicy.Error);

    /// <summary>The cap in bytes; validated to be positive.</summary>
    public long MaxBytes { get; } = MaxBytes > 0 ? MaxBytes : throw new ArgumentOutOfRangeException(nameof(MaxBytes), MaxBytes, "The output limit must be at least 1 byte.");
}

/// <summary>What a run does when a stream produces more output than its <see cref="OutputLimit"/>.</summary>
public enum OverflowPolicy
{
    /// <summary>Stop the process tree and fail with <see cref="OutputTooLargeException"/>.</summary>
    Error,

    /// <summary>Keep the newest bytes (the tail), drop older ones, and set <c>Truncated</c> on the result.</summary>
    KeepNewest,

    /// <summary>Keep the first bytes (the head), discard the rest (still read, so the child never blocks), set <c>Truncated</c>.</summary>
    KeepOldest,
}
