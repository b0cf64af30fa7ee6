namespace Tether.Journaling;

/// <summary>How a <see cref="JournalReader"/> reads.</summary>
public sealed record JournalReaderOptions
{
    /// <summary>Strict (the default) throws on damage in the middle; tolerant skips it and reports it.</summary>
    public ReadMode Mode { get; init; } = ReadMode.Strict;

    /// <summary>How often <see cref="JournalReader.FollowAsync"/> looks for new records; default 200 ms, 1 ms to 1 min.</summary>
    public TimeSpan FollowPollInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Lines longer than this are damage; default (and most) 16 MiB, the largest record any writer makes.</summary>
    public int MaxLineBytes { get; init; } = JournalOptions.MaxLineLimit;

    /// <summary>The clock for follow polling.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    internal void Validate()
    {
        if (!Enum.IsDefined(Mode))
        {
            throw new ArgumentOutOfRangeException(nameof(Mode), Mode, "Unknown read mode.");
        }

        if (FollowPollInterval < TimeSpan.FromMilliseconds(1) || FollowPollInterval > TimeSpan.FromMinutes(1))
        {
            throw new ArgumentOutOfRangeException(nameof(FollowPollInterval), FollowPollInterval, "JournalReaderOptions.FollowPollInterval must be between 1 ms and 1 min.");
        }

        if (MaxLineBytes < 256 || MaxLineBytes > JournalOptions.MaxLineLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxLineBytes), MaxLineBytes, $"JournalReaderOptions.MaxLineBytes must be between 256 and {JournalOptions.MaxLineLimit}.");
        }

        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
    }
}
