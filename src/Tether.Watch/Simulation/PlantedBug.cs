namespace Tether.Watch;

/// <summary>Known bugs the engine can be built with, test-only, so specs prove the simulator finds bugs of these kinds.</summary>
internal enum PlantedBug
{
    /// <summary>The engine as shipped.</summary>
    None,

    /// <summary>The debounce window is one second short: a second recovery can run just before the window ends.</summary>
    DebounceOffByOne,

    /// <summary>The freshness answer is acted on without re-checking that the agent is still silent: an agent that beat again is recovered.</summary>
    MissingRecheck,
}
