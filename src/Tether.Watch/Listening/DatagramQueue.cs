using System.Threading.Channels;

namespace Tether.Watch;

/// <summary>The bounded queue between a listener's receive loop (the single writer) and the engine, with its counters.</summary>
internal sealed class DatagramQueue
{
    private readonly Channel<ReceivedDatagram> _channel;
    private readonly Action? _arrived;
    private long _received;
    private long _droppedQueueFull;

    public DatagramQueue(int capacity, Action? arrived = null)
    {
        _arrived = arrived;
        // Wait mode only so that TryWrite reports "full" (DropWrite would drop silently); nothing ever waits to write.
        _channel = Channel.CreateBounded<ReceivedDatagram>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleWriter = true,
            SingleReader = false,
        });
    }

    public ChannelReader<ReceivedDatagram> Reader => _channel.Reader;

    public long Received => Interlocked.Read(ref _received);

    public long DroppedQueueFull => Interlocked.Read(ref _droppedQueueFull);

    /// <summary>Counts the datagram and queues it, or drops it (counted) when the queue is full.</summary>
    public void Offer(ReceivedDatagram datagram)
    {
        Interlocked.Increment(ref _received);
        if (!_channel.Writer.TryWrite(datagram))
        {
            Interlocked.Increment(ref _droppedQueueFull);
        }
    }

    /// <summary>Tells whoever asked (<see cref="BeatListenerOptions.Arrived"/>) that datagrams were queued; once per batch.</summary>
    public void Announce() => _arrived?.Invoke();

    /// <summary>No more datagrams: readers finish after the queued ones, or see <paramref name="error"/>.</summary>
    public void Complete(Exception? error = null) => _channel.Writer.TryComplete(error);
}
