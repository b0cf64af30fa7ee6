namespace Tether;

/// <summary>
/// Runs a command again when an attempt fails in a way that may pass: up to <see cref="MaxAttempts"/> attempts in all,
/// waiting <see cref="Backoff"/> between them on the runner's <see cref="TimeProvider"/>. Which failures count as
/// transient is <see cref="RetryOn"/> (default: transient spawn failures and timeouts) or, additionally, the
/// <see cref="ShouldRetry"/> predicate. Set it with <see cref="Command.WithRetry(RetryPolicy?)"/>.
/// </summary>
/// <remarks>
/// Cancellation is never retried and stops retrying at once, also in the middle of a backoff delay. Each attempt is
/// a complete run with the command's own timeouts; the result lists every attempt in
/// <see cref="ProcessResult{TOutput}.Attempts"/>.
/// </remarks>
public sealed record RetryPolicy
{
    private readonly int _maxAttempts = 3;
    private readonly Backoff _backoff = Backoff.Default;

    /// <summary>A policy of <paramref name="maxAttempts"/> attempts in all, with the default backoff and classifier.</summary>
    public RetryPolicy(int maxAttempts) => MaxAttempts = maxAttempts;

    /// <summary>How many attempts in all, the first included (1 means no retry).</summary>
    public int MaxAttempts
    {
        get => _maxAttempts;
        init => _maxAttempts = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaxAttempts), value, "A retry policy needs at least one attempt.");
    }

    /// <summary>The delays between attempts.</summary>
    public Backoff Backoff
    {
        get => _backoff;
        init => _backoff = value ?? throw new ArgumentNullException(nameof(Backoff));
    }

    /// <summary>The failures retried by category.</summary>
    public RetryOn RetryOn { get; init; } = RetryOn.Default;

    /// <summary>
    /// An extra classifier: an attempt for which it returns true is retried even when <see cref="RetryOn"/> does not
    /// name its failure (a successful attempt is never retried, cancellation never). Null for none.
    /// </summary>
    public Func<RunAttempt, bool>? ShouldRetry { get; init; }

    /// <summary>Whether the failed <paramref name="attempt"/> should be tried again (attempts left aside).</summary>
    internal bool Retries(RunAttempt attempt, bool succeeded)
    {
        if (succeeded || attempt.Error is OperationCanceledException)
        {
            return false;
        }

        var byCategory = (attempt.Outcome, attempt.Error) switch
        {
            (null, SpawnFailedException spawn) => RetryOn.HasFlag(RetryOn.TransientSpawnFailure) && IsTransient(spawn.Errno),
            (Outcome.TimedOut, _) => RetryOn.HasFlag(RetryOn.Timeout),
            (Outcome.Signalled, _) => RetryOn.HasFlag(RetryOn.Signalled),
            (Outcome.Exited, _) => RetryOn.HasFlag(RetryOn.NonZeroExit),
            _ => false,
        };
        return byCategory || (ShouldRetry?.Invoke(attempt) ?? false);
    }

    // EINTR, EAGAIN, ENOMEM, ENFILE, EMFILE, ETXTBSY: the kernel was short of something, or the file was being written.
    private static bool IsTransient(int errno) => errno is 4 or 11 or 12 or 23 or 24 or 26;
}
