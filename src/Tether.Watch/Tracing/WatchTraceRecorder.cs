using Tether.Lab;

namespace Tether.Watch;

/// <summary>
/// Records every input the watch engine takes, with the hash of the events it caused, to a trace file (rotated, capped,
/// owner-only). The watcher's loop calls <see cref="Record"/> right after each <see cref="WatchEngine.Handle"/>; it
/// allocates nothing per input. A failed write loses that chunk (counted in <see cref="WriteFailures"/>), never the
/// watcher: the reader of the trace stops where the chunk is missing.
/// </summary>
public sealed class WatchTraceRecorder : IDisposable
{
    private readonly TraceWriter<WatchInput> _writer;

    private WatchTraceRecorder(TraceWriter<WatchInput> writer) => _writer = writer;

    /// <summary>Chunks that could not be written.</summary>
    public long WriteFailures { get; private set; }

    /// <summary>Inputs recorded.</summary>
    public long Events => _writer.Events;

    /// <summary>Bytes written over every file of the recording.</summary>
    public long BytesWritten => _writer.BytesWritten;

    /// <summary>Starts recording an engine with <paramref name="engine"/>'s settings at <paramref name="path"/>.</summary>
    /// <exception cref="IOException">The file could not be created.</exception>
    public static WatchTraceRecorder Create(string path, WatchOptions engine, TraceWriterOptions? options = null) =>
        new(TraceWriter<WatchInput>.Create(path, WatchTrace.Header(engine), new WatchInputCodec(), options));

    /// <summary>Records <paramref name="input"/> and the events it caused.</summary>
    public void Record(WatchInput input, IReadOnlyList<WatchEvent> events)
    {
        try
        {
            _writer.Record(input, WatchDecisions.Hash(events));
        }
        catch (IOException)
        {
            WriteFailures++;
        }
    }

    /// <summary>Writes what is buffered, syncs and closes the file.</summary>
    public void Dispose()
    {
        try
        {
            _writer.Dispose();
        }
        catch (IOException)
        {
            WriteFailures++;
        }
    }
}
