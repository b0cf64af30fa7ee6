namespace Tether.Journaling.Internal;

/// <summary>Something the writer loop does, in queue order.</summary>
internal abstract class WorkItem;

/// <summary>
/// One pending append: the pre-serialized body and the caller's completion. <see cref="TryTake"/> (the writer) and
/// <see cref="TryCancel"/> (the caller's token) race once; the loser has no effect, so a record is either written and its
/// seq returned, or cancelled and certainly not written.
/// </summary>
internal sealed class AppendWork(string type, byte[] body) : WorkItem
{
    private const int Queued = 0;
    private const int Taken = 1;
    private const int Cancelled = 2;

    private readonly TaskCompletionSource<ulong> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _state;

    public string Type { get; } = type;

    public byte[] Body { get; } = body;

    public int LineLength => RecordCodec.MaxLineLength(Body.Length);

    public Task<ulong> Task => _completion.Task;

    public bool TryTake() => Interlocked.CompareExchange(ref _state, Taken, Queued) == Queued;

    public void TryCancel(CancellationToken token)
    {
        if (Interlocked.CompareExchange(ref _state, Cancelled, Queued) == Queued)
        {
            _completion.TrySetCanceled(token);
        }
    }

    public void Succeed(ulong seq) => _completion.TrySetResult(seq);

    public void Fail(Exception error) => _completion.TrySetException(error);
}

/// <summary>Sync everything acknowledged (<see cref="Durability.Buffered"/>), and report a failed background sync.</summary>
internal sealed class FlushWork : WorkItem
{
    public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>Apply a retention policy under the journal lock.</summary>
internal sealed class PruneWork(RetentionPolicy policy) : WorkItem
{
    public RetentionPolicy Policy { get; } = policy;

    public TaskCompletionSource<JournalPruneReport> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// Decide what to append while holding the journal lock: <see cref="Decide"/> gets the next seq (every record below it is
/// in the journal, and no other writer can add one until the records it returns are written).
/// </summary>
internal sealed class DecidedAppendWork(Func<ulong, CancellationToken, ValueTask<IReadOnlyList<JournalEntry>>> decide, CancellationToken token) : WorkItem
{
    public Func<ulong, CancellationToken, ValueTask<IReadOnlyList<JournalEntry>>> Decide { get; } = decide;

    public CancellationToken Token { get; } = token;

    public TaskCompletionSource<IReadOnlyList<ulong>> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
