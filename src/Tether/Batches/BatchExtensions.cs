using System.Runtime.CompilerServices;

namespace Tether;

/// <summary>
/// Batches: many commands run with a cap on how many are alive at once, collected in input order or streamed as they
/// finish, optionally failing fast. Each command runs through the capturing verb, so its own timeouts and retry
/// policy apply.
/// </summary>
public static class BatchExtensions
{
    /// <summary>
    /// Runs every command, at most <paramref name="maxConcurrency"/> alive at once, and returns one entry per command in
    /// input order. A non-zero exit is data in its entry; a command that cannot run is a <see cref="BatchStatus.Failed"/>
    /// entry and does not stop the others.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; the running commands were stopped first.</exception>
    public static Task<IReadOnlyList<BatchEntry>> OutputAllAsync(this IProcessRunner runner, IEnumerable<Command> commands, int maxConcurrency, CancellationToken cancellationToken = default) =>
        runner.OutputAllAsync(commands, new BatchOptions { MaxConcurrency = maxConcurrency }, cancellationToken);

    /// <summary>Runs every command under <paramref name="options"/> and returns one entry per command in input order.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; the running commands were stopped first.</exception>
    public static async Task<IReadOnlyList<BatchEntry>> OutputAllAsync(this IProcessRunner runner, IEnumerable<Command> commands, BatchOptions options, CancellationToken cancellationToken = default)
    {
        var list = Validate(runner, commands, options);
        var entries = new BatchEntry[list.Count];
        await foreach (var entry in RunAsync(runner, list, options, cancellationToken).ConfigureAwait(false))
        {
            entries[entry.Index] = entry;
        }

        return entries;
    }

    /// <summary>
    /// Runs every command, at most <paramref name="maxConcurrency"/> alive at once, and yields each entry as soon as
    /// its command finishes (so not in input order: <see cref="BatchEntry.Index"/> says which it is). A slow reader
    /// holds back the start of further commands, never their output.
    /// </summary>
    public static IAsyncEnumerable<BatchEntry> OutputEachAsync(this IProcessRunner runner, IEnumerable<Command> commands, int maxConcurrency, CancellationToken cancellationToken = default) =>
        runner.OutputEachAsync(commands, new BatchOptions { MaxConcurrency = maxConcurrency }, cancellationToken);

    /// <summary>Runs every command under <paramref name="options"/>, yielding each entry as its command finishes.</summary>
    public static IAsyncEnumerable<BatchEntry> OutputEachAsync(this IProcessRunner runner, IEnumerable<Command> commands, BatchOptions options, CancellationToken cancellationToken = default) =>
        RunAsync(runner, Validate(runner, commands, options), options, cancellationToken);

    private static List<Command> Validate(IProcessRunner runner, IEnumerable<Command> commands, BatchOptions options)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(commands);
        ArgumentNullException.ThrowIfNull(options);
        var list = commands.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is null)
            {
                throw new ArgumentException($"Command {i} of the batch is null.", nameof(commands));
            }
        }

        return list;
    }

    private static async IAsyncEnumerable<BatchEntry> RunAsync(
        IProcessRunner runner, List<Command> commands, BatchOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // One token stops the rest: the caller's cancellation and fail-fast both end up here.
        using var stopRest = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = new List<Task<BatchEntry>>(options.MaxConcurrency);
        var next = 0;
        var failedFast = false;
        try
        {
            while (true)
            {
                while (!failedFast && running.Count < options.MaxConcurrency && next < commands.Count)
                {
                    running.Add(RunOneAsync(runner, next, commands[next], stopRest.Token, cancellationToken));
                    next++;
                }

                if (running.Count == 0)
                {
                    break;
                }

                var finished = await Task.WhenAny(running).ConfigureAwait(false);
                running.Remove(finished);
                var entry = await finished.ConfigureAwait(false);
                if (options.FailFast && !failedFast && entry is { IsSuccess: false, Status: not BatchStatus.Stopped })
                {
                    failedFast = true;
                    await stopRest.CancelAsync().ConfigureAwait(false);
                }

                yield return entry;
            }

            for (; next < commands.Count; next++)
            {
                yield return new BatchEntry(next, commands[next], BatchStatus.Stopped, null, null);
            }
        }
        finally
        {
            // Leaving early (a reader that stops, cancellation, an error) must not leave runs behind: stop them and
            // wait until each has been torn down.
            if (running.Count > 0)
            {
                await stopRest.CancelAsync().ConfigureAwait(false);
                try
                {
                    await Task.WhenAll(running).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Expected: they were stopped.
                }
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
    }

    private static async Task<BatchEntry> RunOneAsync(IProcessRunner runner, int index, Command command, CancellationToken stopRest, CancellationToken cancellationToken)
    {
        try
        {
            var result = await runner.OutputStringAsync(command, stopRest).ConfigureAwait(false);
            return new BatchEntry(index, command, BatchStatus.Completed, result, null);
        }
        catch (OperationCanceledException) when (stopRest.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new BatchEntry(index, command, BatchStatus.Stopped, null, null);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            return new BatchEntry(index, command, BatchStatus.Failed, null, error);
        }
    }
}
