namespace Tether.Output;

/// <summary>
/// A bounded queue of items (lines or events) that can be taken once as an async stream. It is created when its
/// stream is taken and seeded with what was kept so far; seeding past its capacity drops the oldest item (counted in
/// <see cref="Dropped"/>). While it is being read, a full queue applies backpressure: the pump waits, and so does the
/// child writing to its pipe. Once its reader stops early, items are no longer queued (nobody will read them; they
/// are not counted as dropped), so an abandoned stream never blocks the process.
/// </summary>
/// <remarks>
/// Items are handed over in batches: the pump adds all the lines of one read under one lock
/// (<see cref="AddRangeAsync"/>), and the reader moves everything queued into its own buffer under one lock, then
/// yields it without touching the queue. A million short lines thus cost a few thousand lock round trips and wake-ups
/// instead of a million, and a reader that keeps up never waits per line.
/// </remarks>
internal sealed class LineQueue<T>
{
    private readonly Lock _gate = new();
    private readonly Queue<T> _items;
    private readonly int _capacity;
    private readonly string _name;
    private int _state; // 0 untaken, 1 reading, 2 abandoned
    private long _dropped;
    private bool _completed;
    private TaskCompletionSource? _itemsArrived; // the reader waits on it while the queue is empty
    private TaskCompletionSource? _roomFreed;    // writers wait on it while the queue is full

    public LineQueue(int capacity, string name)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _name = name;
        _items = new Queue<T>(capacity);
    }

    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Adds an item to a queue nobody took yet: never waits; past the capacity the oldest item is dropped.</summary>
    public void Seed(T item)
    {
        lock (_gate)
        {
            System.Diagnostics.Debug.Assert(_state == 0, "only an untaken queue is seeded");
            if (_items.Count == _capacity)
            {
                _items.Dequeue();
                Interlocked.Increment(ref _dropped);
            }

            _items.Enqueue(item);
        }
    }

    /// <summary>Adds one item; see <see cref="AddRangeAsync"/>.</summary>
    public ValueTask AddAsync(T item, CancellationToken cancellationToken) => AddRangeAsync([item], cancellationToken);

    /// <summary>
    /// Adds <paramref name="items"/> in order: at once while they fit, else (the queue is being read) waiting for the
    /// reader to make room. Dropped silently once the reader stopped or the queue completed. The caller must not
    /// change <paramref name="items"/> until the returned task completes.
    /// </summary>
    public ValueTask AddRangeAsync(IReadOnlyList<T> items, CancellationToken cancellationToken)
    {
        var added = Add(items, 0, out var roomFreed);
        return added == items.Count ? ValueTask.CompletedTask : AddRestAsync(items, added, roomFreed!, cancellationToken);
    }

    public void Complete()
    {
        TaskCompletionSource? reader;
        lock (_gate)
        {
            _completed = true;
            reader = _itemsArrived;
            _itemsArrived = null;
        }

        reader?.TrySetResult();
    }

    public IAsyncEnumerable<T> Take(CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException($"{_name} can be taken only once, and it was already taken; keep the first enumerable and read from it.");
        }

        return new Reading(this, cancellationToken);
    }

    private async ValueTask AddRestAsync(IReadOnlyList<T> items, int added, Task roomFreed, CancellationToken cancellationToken)
    {
        while (added < items.Count)
        {
            await roomFreed.WaitAsync(cancellationToken).ConfigureAwait(false);
            added = Add(items, added, out var next);
            roomFreed = next!;
        }
    }

    /// <summary>Adds from <paramref name="from"/> on as far as there is room; returns how far it got, and when not to the end, the task to wait on for room.</summary>
    private int Add(IReadOnlyList<T> items, int from, out Task? roomFreed)
    {
        roomFreed = null;
        TaskCompletionSource? reader = null;
        var added = from;
        lock (_gate)
        {
            var state = Volatile.Read(ref _state);
            if (state == 2 || _completed)
            {
                return items.Count; // nobody will read them
            }

            for (; added < items.Count; added++)
            {
                if (_items.Count == _capacity)
                {
                    if (state == 1)
                    {
                        break; // backpressure: wait for the reader
                    }

                    // Not taken yet: keep the newest.
                    _items.Dequeue();
                    Interlocked.Increment(ref _dropped);
                }

                _items.Enqueue(items[added]);
            }

            if (added > from && _itemsArrived is not null)
            {
                reader = _itemsArrived;
                _itemsArrived = null;
            }

            if (added < items.Count)
            {
                _roomFreed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                roomFreed = _roomFreed.Task;
            }
        }

        reader?.TrySetResult();
        return added;
    }

    /// <summary>
    /// Moves everything queued into <paramref name="batch"/> (grown as needed); returns how many, or 0 with the task to
    /// wait on when the queue is empty (null when it also completed: the end).
    /// </summary>
    private int TakeAll(ref T[] batch, out Task? itemsArrived)
    {
        itemsArrived = null;
        TaskCompletionSource? writers = null;
        int count;
        lock (_gate)
        {
            count = _items.Count;
            if (count == 0)
            {
                if (!_completed)
                {
                    _itemsArrived ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    itemsArrived = _itemsArrived.Task;
                }

                return 0;
            }

            if (batch.Length < count)
            {
                batch = new T[Math.Min(_capacity, Math.Max(count, batch.Length * 2))];
            }

            for (var i = 0; i < count; i++)
            {
                batch[i] = _items.Dequeue();
            }

            writers = _roomFreed;
            _roomFreed = null;
        }

        writers?.TrySetResult();
        return count;
    }

    /// <summary>The reader stopped (finished, broke out or was cancelled): never block a writer on it again.</summary>
    private void Abandon()
    {
        TaskCompletionSource? writers;
        lock (_gate)
        {
            Volatile.Write(ref _state, 2);
            _items.Clear();
            writers = _roomFreed;
            _roomFreed = null;
        }

        writers?.TrySetResult();
    }

    /// <summary>The taken stream: each enumeration reads from the queue, and its end abandons it.</summary>
    private sealed class Reading(LineQueue<T> queue, CancellationToken taken) : IAsyncEnumerable<T>
    {
        public IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
            new Reader(queue, taken, cancellationToken);
    }

    /// <summary>Yields a batch taken from the queue item by item, synchronously; touches the queue only when the batch is used up.</summary>
    private sealed class Reader : IAsyncEnumerator<T>
    {
        private readonly LineQueue<T> _queue;
        private readonly CancellationTokenSource? _linked;
        private readonly CancellationToken _cancellationToken;
        private T[] _batch = new T[16];
        private int _index = -1;
        private int _count;
        private bool _ended;

        public Reader(LineQueue<T> queue, CancellationToken taken, CancellationToken enumeration)
        {
            _queue = queue;
            if (taken.CanBeCanceled && enumeration.CanBeCanceled)
            {
                _linked = CancellationTokenSource.CreateLinkedTokenSource(taken, enumeration);
                _cancellationToken = _linked.Token;
            }
            else
            {
                _cancellationToken = taken.CanBeCanceled ? taken : enumeration;
            }
        }

        public T Current { get; private set; } = default!;

        public ValueTask<bool> MoveNextAsync()
        {
            if (++_index < _count)
            {
                Current = _batch[_index];
                return new ValueTask<bool>(true);
            }

            if (_ended)
            {
                return new ValueTask<bool>(false);
            }

            _cancellationToken.ThrowIfCancellationRequested();
            if (Refill(out var itemsArrived))
            {
                return new ValueTask<bool>(true);
            }

            if (itemsArrived is null)
            {
                End();
                return new ValueTask<bool>(false);
            }

            return WaitAsync(itemsArrived);
        }

        public ValueTask DisposeAsync()
        {
            _ended = true;
            Array.Clear(_batch, 0, _count);
            _count = 0;
            Current = default!;
            _queue.Abandon();
            _linked?.Dispose();
            return ValueTask.CompletedTask;
        }

        private bool Refill(out Task? itemsArrived)
        {
            Array.Clear(_batch, 0, _count); // what was yielded belongs to the reader now, not to us
            _count = _queue.TakeAll(ref _batch, out itemsArrived);
            _index = 0;
            if (_count == 0)
            {
                return false;
            }

            Current = _batch[0];
            return true;
        }

        private void End()
        {
            _ended = true;
            Current = default!;
        }

        private async ValueTask<bool> WaitAsync(Task itemsArrived)
        {
            while (true)
            {
                await itemsArrived.WaitAsync(_cancellationToken).ConfigureAwait(false);
                if (Refill(out var next))
                {
                    return true;
                }

                if (next is null)
                {
                    End();
                    return false;
                }

                itemsArrived = next;
            }
        }
    }
}
