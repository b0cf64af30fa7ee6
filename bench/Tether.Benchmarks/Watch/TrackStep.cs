using Tether.Watch;

namespace Tether.Benchmarks.Watch;

/// <summary>
/// Decode + track: the next beat of one of 64 agents (nonces increasing, 1 ms apart on the engine's clock) is written
/// into its datagram and handed to a <see cref="WatchEngine"/> exactly as the watcher's loop does — a new
/// <see cref="WatchInput.Datagram"/>, decoding, the origin, nonce and rate checks, the table update and the accepted-beat
/// event. Writing the datagram (an encode, about half a decode) is included, so the figure is on the safe side.
/// </summary>
internal readonly struct TrackStep(TrackState state) : IFrameStep
{
    public ulong Run(int index) => state.Next(index);
}

/// <summary>The engine and the agents' datagrams behind <see cref="TrackStep"/>.</summary>
internal sealed class TrackState
{
    private const int Agents = 64;
    private static readonly OriginFacts Trusted = new(Origin.OperatorAttested);
    private readonly WatchEngine _engine = new(new WatchOptions { Threshold = TimeSpan.FromSeconds(5), Capacity = 256 });
    private readonly byte[][] _datagrams = [.. Enumerable.Range(0, Agents).Select(_ => new byte[Frame.Size])];
    private readonly ulong[] _nonces = new ulong[Agents];
    private readonly List<WatchEvent> _events = new(4);
    private long _clock;

    /// <summary>Beats accepted so far (every beat must be: the benchmark checks it).</summary>
    public long Accepted => _engine.Counters.Beats;

    public ulong Next(int index)
    {
        var agent = index & (Agents - 1);
        var now = ++_clock;
        new Frame(BeatStatus.Ok, (uint)(1000 + agent), (ulong)now, ++_nonces[agent], 0).Encode(_datagrams[agent]);
        _events.Clear();
        _engine.Handle(new WatchInput.Datagram(TimeSpan.FromMilliseconds(now), _datagrams[agent], Trusted), _events);
        return (ulong)_events.Count;
    }
}
