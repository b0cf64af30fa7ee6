using Tether.Retries;

namespace Tether;

/// <summary>
/// The verbs every <see cref="IProcessRunner"/> offers, for commands and pipelines alike. They carry out the
/// command's <see cref="RetryPolicy"/> (the last stage's, for a pipeline), waiting backoffs on the runner's clock.
/// </summary>
public static class ProcessRunnerExtensions
{
    /// <summary>
    /// Starts a single command; see <see cref="IProcessRunner.StartAsync"/>. Under a <see cref="RetryPolicy"/> only a
    /// failure to start (a transient spawn error) is retried: once a process runs, how it ends is the caller's to handle.
    /// </summary>
    public static Task<RunningProcess> StartAsync(this IProcessRunner runner, Command command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(command);
        var pipeline = command.ToPipeline();
        return command.Retry is not { } policy
            ? runner.StartAsync(pipeline, cancellationToken)
            : StartWithRetryAsync(runner, pipeline, policy, cancellationToken);
    }

    /// <summary>Runs a single command and returns its output as bytes; see <see cref="IProcessRunner.OutputBytesAsync"/>.</summary>
    public static Task<ProcessResult<byte[]>> OutputBytesAsync(this IProcessRunner runner, Command command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(command);
        var pipeline = command.ToPipeline();
        return command.Retry is not { } policy
            ? runner.OutputBytesAsync(pipeline, cancellationToken)
            : OutputBytesWithRetryAsync(runner, pipeline, policy, cancellationToken);
    }

    /// <summary>
    /// Runs a command and returns its output decoded with the command's encoding. A non-zero exit, a signal and a
    /// timeout are data in the result, with the output captured until then.
    /// </summary>
    public static Task<ProcessResult<string>> OutputStringAsync(this IProcessRunner runner, Command command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        return OutputStringAsync(runner, command.ToPipeline(), cancellationToken);
    }

    /// <summary>
    /// Runs a pipeline and returns its output decoded with the last stage's encoding; see
    /// <see cref="IProcessRunner.OutputStringAsync"/>, under the last stage's <see cref="RetryPolicy"/>. (A receiver typed
    /// as <see cref="IProcessRunner"/> reaches the interface's method, one attempt; call
    /// <c>ProcessRunnerExtensions.OutputStringAsync(runner, pipeline)</c> to retry a pipeline that way.)
    /// </summary>
    public static Task<ProcessResult<string>> OutputStringAsync(this IProcessRunner runner, Pipeline pipeline, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(pipeline);
        return pipeline.Last.Retry is not { } policy
            ? runner.OutputStringAsync(pipeline, cancellationToken)
            : OutputStringWithRetryAsync(runner, pipeline, policy, cancellationToken);
    }

    /// <summary>
    /// Runs a command that must succeed and returns its stdout with surrounding whitespace trimmed.
    /// </summary>
    /// <exception cref="NonZeroExitException">It exited with a code that is not ok.</exception>
    /// <exception cref="SignalledException">It was killed by a signal.</exception>
    /// <exception cref="TimedOutException">A timeout ran out; the exception carries the partial output.</exception>
    public static Task<string> RunAsync(this IProcessRunner runner, Command command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        return runner.RunAsync(command.ToPipeline(), cancellationToken);
    }

    /// <summary>Runs a pipeline that must succeed and returns its trimmed stdout; see the command overload.</summary>
    public static async Task<string> RunAsync(this IProcessRunner runner, Pipeline pipeline, CancellationToken cancellationToken = default)
    {
        var result = await OutputStringAsync(runner, pipeline, cancellationToken).ConfigureAwait(false);
        ThrowUnlessExited(result);
        if (!result.IsSuccess)
        {
            throw new NonZeroExitException(result, pipeline);
        }

        return result.Stdout.Trim();
    }

    /// <summary>Runs a command and returns its exit code, whatever it is.</summary>
    /// <exception cref="SignalledException">It was killed by a signal.</exception>
    /// <exception cref="TimedOutException">A timeout ran out.</exception>
    public static Task<int> ExitCodeAsync(this IProcessRunner runner, Command command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        return runner.ExitCodeAsync(command.ToPipeline(), cancellationToken);
    }

    /// <summary>Runs a pipeline and returns the exit code of its blamed stage (or last stage).</summary>
    public static async Task<int> ExitCodeAsync(this IProcessRunner runner, Pipeline pipeline, CancellationToken cancellationToken = default)
    {
        var result = await OutputStringAsync(runner, pipeline, cancellationToken).ConfigureAwait(false);
        ThrowUnlessExited(result);
        return result.ExitCode!.Value;
    }

    /// <summary>
    /// Runs a command as a yes/no question: exit 0 is true, exit 1 is false; anything else is an error.
    /// </summary>
    /// <exception cref="NonZeroExitException">It exited with a code other than 0 or 1.</exception>
    public static Task<bool> ProbeAsync(this IProcessRunner runner, Command command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        return runner.ProbeAsync(command.ToPipeline(), cancellationToken);
    }

    /// <summary>Runs a pipeline as a yes/no question; see the command overload.</summary>
    public static async Task<bool> ProbeAsync(this IProcessRunner runner, Pipeline pipeline, CancellationToken cancellationToken = default)
    {
        var result = await OutputStringAsync(runner, pipeline, cancellationToken).ConfigureAwait(false);
        ThrowUnlessExited(result);
        return result.ExitCode switch
        {
            0 => true,
            1 => false,
            _ => throw new NonZeroExitException(result, pipeline),
        };
    }

    // Kept apart from the verbs so that a command without a retry policy allocates no closure.
    private static Task<RunningProcess> StartWithRetryAsync(IProcessRunner runner, Pipeline pipeline, RetryPolicy policy, CancellationToken cancellationToken) =>
        RetryLoop.StartAsync(policy, runner.TimeProvider, pipeline, () => runner.StartAsync(pipeline, cancellationToken), cancellationToken);

    private static Task<ProcessResult<byte[]>> OutputBytesWithRetryAsync(IProcessRunner runner, Pipeline pipeline, RetryPolicy policy, CancellationToken cancellationToken) =>
        RetryLoop.RunAsync(policy, runner.TimeProvider, pipeline, () => runner.OutputBytesAsync(pipeline, cancellationToken), cancellationToken);

    private static Task<ProcessResult<string>> OutputStringWithRetryAsync(IProcessRunner runner, Pipeline pipeline, RetryPolicy policy, CancellationToken cancellationToken) =>
        RetryLoop.RunAsync(policy, runner.TimeProvider, pipeline, () => runner.OutputStringAsync(pipeline, cancellationToken), cancellationToken);

    private static void ThrowUnlessExited(ProcessResult<string> result)
    {
        switch (result.Outcome)
        {
            case Outcome.TimedOut:
                throw new TimedOutException(result);
            case Outcome.Signalled signalled:
                throw new SignalledException(result, signalled.Signal);
        }
    }
}
