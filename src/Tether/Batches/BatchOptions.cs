namespace Tether;

/// <summary>How a batch runs: how many commands at once, and whether the first failure stops the rest.</summary>
public sealed record BatchOptions
{
    private readonly int _maxConcurrency = Environment.ProcessorCount;

    /// <summary>The most commands alive at once (default: the processor count). At least 1.</summary>
    public int MaxConcurrency
    {
        get => _maxConcurrency;
        init => _maxConcurrency = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaxConcurrency), value, "A batch needs a concurrency of at least 1.");
    }

    /// <summary>
    /// When true, the first command that does not succeed (a not-ok exit, a signal, a timeout, a failure to run) stops
    /// the commands still running (each through its own stop signal and grace) and starts no more; those are reported
    /// as <see cref="BatchStatus.Stopped"/>. Default false: every command runs, whatever the others do.
    /// </summary>
    public bool FailFast { get; init; }
}
