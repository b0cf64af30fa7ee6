using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Tether.Output;

/// <summary>
/// A bounded queue of items (lines or events) that can be taken once as an async stream. It is created when its
/// stream is taken and seeded with what was kept so far; seeding past its capacity drops the oldest item (counted in
/// <see cref="Dropped"/>). While it is being read, a full queue applies backpressure: the pump waits, and so does the
/// child writing to its pipe. Once its reader stops early, items are no longer queued (nobody will read them; they
/// are not counted as dropped), so an abandoned stream never blocks the process.
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
            SingleWriter = false, // the events queue is fed by both pumps
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public long Dropped => Interlocked.Read(ref _dropped);

    public ValueTask AddAsync(T item, CancellationToken cancellationToken)
    {
        var state = Volatile.Read(ref _state);
        if (state == 2 || _channel.Writer.TryWrite(item))
        {
            return ValueTask.CompletedTask;
        }

        if (state == 0)
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
