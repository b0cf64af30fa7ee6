namespace Tether;

/// <summary>How one command of a batch ended up.</summary>
public enum BatchStatus
{
    /// <summary>It ran to the end; <see cref="BatchEntry.Result"/> says how (a non-zero exit is still a completed run).</summary>
    Completed,

    /// <summary>It could not be run (a missing program, a spawn failure, an output overflow); <see cref="BatchEntry.Error"/> says why.</summary>
    Failed,

    /// <summary>Fail-fast stopped it, or never started it, because another command of the batch failed.</summary>
    Stopped,
}
