namespace Tether;

/// <summary>Waiting on several live runs at once.</summary>
public static class RunningProcessWaits
{
    /// <summary>
    /// Waits until the first of <paramref name="processes"/> ends and returns its position in the list and its result.
    /// Cancelling abandons the wait only; every process keeps running.
    /// </summary>
    /// <exception cref="ArgumentException">The list is empty.</exception>
    /// <exception cref="OperationCanceledException">The run that ended first was cancelled through its command's token.</exception>
    public static async Task<(int Index, ProcessResult<string> Result)> WaitAnyAsync(this IReadOnlyList<RunningProcess> processes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(processes);
        if (processes.Count == 0)
        {
            throw new ArgumentException("There is no process to wait for.", nameof(processes));
        }

        var waits = processes.Select(p => p.WaitAsync(cancellationToken)).ToList();
        var first = await Task.WhenAny(waits).ConfigureAwait(false);
        return (waits.IndexOf(first), await first.ConfigureAwait(false));
    }

    /// <summary>
    /// Waits until every one of <paramref name="processes"/> has ended and returns their results in the list's order.
    /// Cancelling abandons the wait only; every process keeps running.
    /// </summary>
    /// <exception cref="OperationCanceledException">A run was cancelled through its command's token.</exception>
    /// <exception cref="OutputTooLargeException">A run's output exceeded its limit under <see cref="OverflowPolicy.Error"/>.</exception>
    public static async Task<IReadOnlyList<ProcessResult<string>>> WaitAllAsync(this IReadOnlyList<RunningProcess> processes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(processes);
        return await Task.WhenAll(processes.Select(p => p.WaitAsync(cancellationToken))).ConfigureAwait(false);
    }
}
