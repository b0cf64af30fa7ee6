namespace Tether;

/// <summary>
/// How a run ended: it exited with a code, it was killed by a signal, or Tether stopped it
/// because a timeout ran out. Exactly one of these; see the nested types.
/// </summary>
public abstract record Outcome
{
    private Outcome()
    {
    }

    /// <summary>True when the run exited on its own with one of the given ok exit codes.</summary>
    public bool IsSuccess(IReadOnlyCollection<int> okExitCodes) => this is Exited exited && okExitCodes.Contains(exited.Code);

    /// <summary>The program exited by itself with <paramref name="Code"/>.</summary>
    public sealed record Exited(int Code) : Outcome
    {
        /// <inheritdoc/>
        public override string ToString() => $"exited with code {Code}";
    }

    /// <summary>
    /// The program was killed by <paramref name="Signal"/>, and no timeout of ours caused it. The signal is null only
    /// when it is unknown: a replayed cassette entry or a scripted reply that says "signalled" without a number.
    /// </summary>
    public sealed record Signalled(Signal? Signal) : Outcome
    {
        /// <summary>
        /// True when the kernel killed the program because the run reached its memory limit
        /// (<see cref="Command.WithMemoryLimit"/>): the SIGKILL was the out-of-memory killer's, not a mystery.
        /// </summary>
        public bool OutOfMemory { get; init; }

        /// <inheritdoc/>
        public override string ToString() => OutOfMemory
            ? "killed for running out of memory (the run's memory limit)"
            : Signal is { } signal ? $"killed by {signal}" : "killed by an unknown signal";
    }

    /// <summary>A timeout ran out and Tether stopped the process tree.</summary>
    /// <param name="Kind">Which timeout: the overall one or the idle (no output) one.</param>
    /// <param name="After">The configured duration that ran out.</param>
    public sealed record TimedOut(TimeoutKind Kind, TimeSpan After) : Outcome
    {
        /// <inheritdoc/>
        public override string ToString() => Kind == TimeoutKind.Idle
            ? $"stopped after {Durations.Format(After)} without output"
            : $"timed out after {Durations.Format(After)}";
    }
}

/// <summary>Which timeout stopped a run.</summary>
public enum TimeoutKind
{
    /// <summary>The overall timeout (<see cref="Command.WithTimeout"/>).</summary>
    Overall,

    /// <summary>The idle timeout: no output on stdout or stderr for the configured duration.</summary>
    Idle,
}
