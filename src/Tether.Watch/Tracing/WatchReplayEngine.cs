using Tether.Lab;

namespace Tether.Watch;

/// <summary>A <see cref="WatchEngine"/> driven by a trace: each input's events are hashed as the recorder hashed them.</summary>
internal sealed class WatchReplayEngine(WatchEngine engine) : IReplayEngine<WatchInput>
{
    private readonly List<WatchEvent> _events = [];

    public WatchEngine Engine => engine;

    /// <summary>The events of the last input.</summary>
    public IReadOnlyList<WatchEvent> Events => _events;

    public ulong Handle(WatchInput input)
    {
        _events.Clear();
        engine.Handle(input, _events);
        return WatchDecisions.Hash(_events);
    }

    public IReadOnlyList<string> LastDecisions() => [.. _events.Select(WatchEventFormat.Format)];
}
