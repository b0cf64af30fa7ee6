namespace Tether.Output;

/// <summary>One <see cref="RunningProcess.WaitForLineAsync"/> call waiting for a line that matches its predicate.</summary>
internal sealed class LineWaiter(Func<string, bool> predicate, OutputStreams streams)
{
    public TaskCompletionSource<string> Found { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Whether a line of <paramref name="which"/> stream matches; a predicate that throws fails the wait.</summary>
    public bool Matches(OutputStreams which, string line)
    {
        if ((which & streams) == 0)
        {
            return false;
        }

        try
        {
            return predicate(line);
        }
        catch (Exception ex)
        {
            Found.TrySetException(ex);
            return false;
        }
    }

    public void Offer(OutputStreams which, string line)
    {
        if (!Found.Task.IsCompleted && Matches(which, line))
        {
            Found.TrySetResult(line);
        }
    }
}
