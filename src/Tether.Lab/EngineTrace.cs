using System.Text.Json;

namespace Tether.Lab;

/// <summary>
/// What the lab needs to know about one engine (the watcher's, the supervisor's): its kind and version, its input
/// codec, how to build it from a trace's configuration, how to describe and explain its inputs. An engine adds tracing
/// by deriving from this; the replayer, diff, tools and simulator are generic over it.
/// </summary>
/// <typeparam name="TInput">The engine's input type.</typeparam>
public abstract class EngineTrace<TInput> : IEngineTrace
{
    /// <inheritdoc/>
    public abstract string Kind { get; }

    /// <inheritdoc/>
    public abstract int Version { get; }

    /// <summary>A fresh input codec.</summary>
    public abstract ITraceCodec<TInput> CreateCodec();

    /// <summary>A fresh engine configured as <paramref name="header"/> says.</summary>
    /// <exception cref="TraceFormatException">The configuration is not one of this engine.</exception>
    public abstract IReplayEngine<TInput> CreateEngine(TraceHeader header);

    /// <summary>One line describing <paramref name="input"/> for people.</summary>
    public abstract string Describe(TInput input);

    /// <summary>Writes the input's fields (not the braces) as JSON properties.</summary>
    public abstract void WriteJson(Utf8JsonWriter writer, TInput input);

    /// <summary>
    /// Answers "why" about <paramref name="subject"/> (a pid, a service) from a replay of the trace: the inputs and
    /// decisions that led to each decision about it, one line each. Empty when the trace never mentions it.
    /// </summary>
    public virtual IReadOnlyList<string> Explain(IReadOnlyList<TraceFile> files, string subject) =>
        throw new NotSupportedException($"The {Kind} engine cannot explain decisions yet.");

    /// <inheritdoc/>
    public IEnumerable<TraceEventView> Events(TraceFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var codec = CreateCodec();
        foreach (var record in file.Events(codec))
        {
            var input = record.Input;
            yield return new TraceEventView(record.Index, codec.TimeOf(input), record.Digest, Describe(input), writer => WriteJson(writer, input));
        }
    }

    /// <inheritdoc/>
    public ReplayResult Replay(IReadOnlyList<TraceFile> files, string? prefixPath = null) => TraceReplayer.Replay(this, files, prefixPath);

    /// <inheritdoc/>
    public TraceDifference? Diff(TraceFile expected, TraceFile actual) => TraceDiff.Compare(this, expected, actual);
}
