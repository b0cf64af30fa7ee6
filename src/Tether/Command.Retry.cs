using System.Diagnostics.Contracts;

namespace Tether;

/// <summary>Retries: a run that fails in a way that may pass is run again (see <see cref="RetryPolicy"/>).</summary>
public sealed partial class Command
{
    /// <summary>The retry policy, or null to run once (the default). A pipeline uses its last stage's.</summary>
    public RetryPolicy? Retry { get; private set; }

    /// <summary>
    /// Returns a command that is run again, by every verb of <see cref="ProcessRunnerExtensions"/>, when an attempt
    /// fails in a way <paramref name="policy"/> calls transient; null runs it once. <c>StartAsync</c> retries only a
    /// failure to start (a started process is never started again); the two primitives of
    /// <see cref="IProcessRunner"/> called directly run one attempt. A result lists every attempt in
    /// <see cref="ProcessResult{TOutput}.Attempts"/>; when the last attempt throws instead (a spawn failure, say), its
    /// exception is thrown as it is, so callers catch the same types with or without a policy.
    /// </summary>
    [Pure]
    public Command WithRetry(RetryPolicy? policy) => Copy(c => c.Retry = policy);

    /// <summary>
    /// Returns a command tried up to <paramref name="maxAttempts"/> times in all, waiting <paramref name="backoff"/>
    /// (default: <see cref="Backoff.Default"/>) between attempts, retrying the failures named by <paramref name="retryOn"/>
    /// (default: transient spawn failures and timeouts, never a plain non-zero exit).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxAttempts"/> is less than 1.</exception>
    [Pure]
    public Command WithRetry(int maxAttempts, Backoff? backoff = null, RetryOn retryOn = RetryOn.Default) =>
        WithRetry(new RetryPolicy(maxAttempts) { Backoff = backoff ?? Backoff.Default, RetryOn = retryOn });
}
