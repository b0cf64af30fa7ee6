namespace Tether;

/// <summary>One attempt of a run under a <see cref="RetryPolicy"/>, as <see cref="ProcessResult{TOutput}.Attempts"/> lists it.</summary>
/// <param name="Number">1 for the first attempt.</param>
/// <param name="DelayBefore">How long the backoff waited before this attempt (zero for the first).</param>
/// <param name="Duration">How long the attempt took, on the runner's clock, from asking the runner to its answer.</param>
/// <param name="Outcome">How the attempt's program ended, or null when the attempt threw instead (see <paramref name="Error"/>).</param>
/// <param name="Error">Why the attempt failed without a result (a spawn failure, …), or null when it produced one.</param>
public sealed record RunAttempt(int Number, TimeSpan DelayBefore, TimeSpan Duration, Outcome? Outcome, Exception? Error)
{
    /// <summary>A one-line summary: number, outcome or error, duration.</summary>
    public override string ToString() =>
        $"attempt {Number}: {(Outcome is { } outcome ? outcome.ToString() : Error?.Message)} in {Durations.Format(Duration)}";
}
