using System.Threading.Channels;

namespace Tether.Watch;

/// <summary>
/// A listener at the edge of the watcher: it receives datagrams, gathers what the operating system says about each
/// sender (<see cref="OriginFacts"/>), and queues both for the engine. The watcher host merges the
/// <see cref="Datagrams"/> of all its listeners. Disposing stops receiving and completes <see cref="Datagrams"/> once
/// the datagrams already queued are read.
/// </summary>
public interface IBeatListener : IAsyncDisposable
{
    /// <summary>Where this listener receives, for events and status: <c>unix:/run/app.sock</c>, <c>udp:127.0.0.1:9090</c>.</summary>
    string Endpoint { get; }

    /// <summary>
    /// The received datagrams in arrival order. Bounded (<see cref="BeatListenerOptions.QueueCapacity"/>): when full, a
    /// new datagram is dropped and counted in <see cref="DroppedQueueFull"/>. Completes when the listener is disposed,
    /// or with the error when receiving fails for good.
    /// </summary>
    ChannelReader<ReceivedDatagram> Datagrams { get; }

    /// <summary>How many datagrams arrived, including those then dropped.</summary>
    long Received { get; }

    /// <summary>How many datagrams were dropped because <see cref="Datagrams"/> was full.</summary>
    long DroppedQueueFull { get; }
}
