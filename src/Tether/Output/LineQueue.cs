using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Tether.Output;

/// <summary>
/// A bounded queue of items (lines or events) that can be taken once as an async stream.
/// Until it is taken, and after its reader stops early, a full queue drops its oldest item (counted in
/// <see cref="Dropped"/>) so that an unread stream never blocks the process. While it is being read, a full queue
/// applies backpressure: the pump waits, and so does the child writing to its pipe.
/// </summary>
internal sealed class LineQueue<T>
{
    private readonly Channel<T> _channel;
    private readonly string _name;
    private int _state; // 0 untaken, 1 reading, 2 abandoned
    private long _dropped;

    public LineQueue(int capacity, string name)
    {
        _name = name;
        _channel = Channel.CreateBounded<T>(new BoundedChannelOptions(capacity)
        {
            SingleWriter = true,
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public long Dropped => Interlocked.Read(ref _dropped);

    public ValueTask AddAsync(T item, CancellationToken cancellationToken)
    {
        if (_channel.Writer.TryWrite(item))
        {
            return ValueTask.CompletedTask;
        }

        if (Volatile.Read(ref _state) != 1)
        {
            while (!_channel.Writer.TryWrite(item))
            {
                if (_channel.Reader.TryRead(out _))
                {
                    Interlocked.Increment(ref _dropped);
                }
            }

            return ValueTask.CompletedTask;
        }

        return _channel.Writer.WriteAsync(item, cancellationToken);
    }

    public void Complete() => _channel.Writer.TryComplete();

    public IAsyncEnumerable<T> Take(CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException($"{_name} can be taken only once, and it was already taken; keep the first enumerable and read from it.");
        }

        return ReadAllAsync(cancellationToken);
    }

    private async IAsyncEnumerable<T> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var item in _channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return item;
            }
        }
        finally
        {
            // The reader stopped (finished, broke out or was cancelled): never block the pump on it again.
            Volatile.Write(ref _state, 2);
            while (_channel.Reader.TryRead(out _))
            {
            }
        }
    }
}
