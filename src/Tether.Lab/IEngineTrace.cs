namespace Tether.Lab;

/// <summary>
/// The engine-independent view of <see cref="EngineTrace{TInput}"/> that tools use once a file's header has named its
/// engine: list, replay, compare and explain without knowing the input type.
/// </summary>
public interface IEngineTrace
{
    /// <summary>The engine kind written in headers, such as <c>watch</c>.</summary>
    string Kind { get; }

    /// <summary>The version of the engine's decisions and codec; traces of another version are refused.</summary>
    int Version { get; }

    /// <summary>The recovered events of one file, described.</summary>
    IEnumerable<TraceEventView> Events(TraceFile file);

    /// <summary>Re-runs the engine over the files (oldest first) and compares its decisions with the recorded ones; with <paramref name="prefixPath"/>, a divergence also writes the minimal divergent prefix there.</summary>
    ReplayResult Replay(IReadOnlyList<TraceFile> files, string? prefixPath = null);

    /// <summary>The first difference between two traces (headers, then inputs, then decisions), or null when they are the same.</summary>
    TraceDifference? Diff(TraceFile expected, TraceFile actual);

    /// <summary>Explains the decisions about <paramref name="subject"/>.</summary>
    IReadOnlyList<string> Explain(IReadOnlyList<TraceFile> files, string subject);
}
