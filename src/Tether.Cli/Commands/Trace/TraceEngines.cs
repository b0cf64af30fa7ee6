using Tether.Lab;
using Tether.Supervisor;
using Tether.Watch;

namespace Tether.Cli.Commands;

/// <summary>The engines whose traces and simulations the tool knows, by the kind their headers name.</summary>
internal static class TraceEngines
{
    /// <summary>The kinds known, for messages.</summary>
    public const string Known = "watch, supervisor";

    /// <summary>The engine that reads traces of <paramref name="kind"/>, or null.</summary>
    public static IEngineTrace? For(string kind) => kind switch
    {
        WatchTrace.EngineKind => new WatchTrace(),
        SupervisorTrace.EngineKind => new SupervisorTrace(),
        _ => null,
    };
}
