using System.Collections.Immutable;

namespace Tether.Retries;

/// <summary>
/// Carries out a <see cref="RetryPolicy"/> around one verb: attempt, classify, back off on the runner's clock, attempt
/// again. Lives above the runner (in the verbs), so every runner, test doubles included, retries the same way.
/// </summary>
internal static class RetryLoop
{
    /// <summary>Runs <paramref name="attempt"/> until it succeeds, fails for good or the attempts run out; the result lists every attempt.</summary>
    /// <remarks>The verbs call this only under a policy: a command without one pays for no wrapper.</remarks>
    public static async Task<ProcessResult<T>> RunAsync<T>(
        RetryPolicy policy, TimeProvider time, Pipeline pipeline, Func<Task<ProcessResult<T>>> attempt, CancellationToken cancellationToken)
    {
        var attempts = ImmutableArray.CreateBuilder<RunAttempt>();
        var result = await RunCoreAsync(policy, time, pipeline, attempt, r => r.IsSuccess, r => r.Outcome, attempts, cancellationToken).ConfigureAwait(false);
        return result with { Attempts = attempts.ToImmutable() };
    }

    /// <summary>Starts a process, retrying only failures to start it (a started process is never started again).</summary>
    public static Task<RunningProcess> StartAsync(RetryPolicy policy, TimeProvider time, Pipeline pipeline, Func<Task<RunningProcess>> attempt, CancellationToken cancellationToken) =>
        RunCoreAsync(policy, time, pipeline, attempt, _ => true, _ => null, ImmutableArray.CreateBuilder<RunAttempt>(), cancellationToken);

    private static async Task<TAnswer> RunCoreAsync<TAnswer>(
        RetryPolicy policy,
        TimeProvider time,
        Pipeline pipeline,
        Func<Task<TAnswer>> attempt,
        Func<TAnswer, bool> succeeded,
        Func<TAnswer, Outcome?> outcomeOf,
        ImmutableArray<RunAttempt>.Builder attempts,
        CancellationToken cancellationToken)
    {
        // The command's own token cancels the backoff too: cancelling a run means no further attempt, whoever cancels.
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource([cancellationToken, .. pipeline.AllCancellationTokens()]);
        var random = policy.Backoff.NewRandom();
        var delay = TimeSpan.Zero;
        for (var number = 1; ; number++)
        {
            cancellation.Token.ThrowIfCancellationRequested();
            var started = time.GetTimestamp();
            TAnswer answer;
            try
            {
                answer = await attempt().ConfigureAwait(false);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                var failed = new RunAttempt(number, delay, time.GetElapsedTime(started), null, error);
                attempts.Add(failed);
                if (number >= policy.MaxAttempts || !policy.Retries(failed, succeeded: false))
                {
                    throw;
                }

                delay = await BackOffAsync(policy, time, number, random, cancellation.Token).ConfigureAwait(false);
                continue;
            }

            var ok = succeeded(answer);
            var done = new RunAttempt(number, delay, time.GetElapsedTime(started), outcomeOf(answer), null);
            attempts.Add(done);
            if (ok || number >= policy.MaxAttempts || !policy.Retries(done, succeeded: false))
            {
                return answer;
            }

            delay = await BackOffAsync(policy, time, number, random, cancellation.Token).ConfigureAwait(false);
        }
    }

    private static async Task<TimeSpan> BackOffAsync(RetryPolicy policy, TimeProvider time, int retry, Random random, CancellationToken cancellationToken)
    {
        var delay = policy.Backoff.DelayBefore(retry, random);
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
        }

        return delay;
    }
}
