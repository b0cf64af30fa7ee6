using Tether.Lab;

namespace Tether.Supervisor;

/// <summary>
/// Records every input the supervisor engine takes, with the hash of the decisions it caused, to a trace file (rotated,
/// capped, owner-only). The supervisor's loop calls <see cref="Record"/> right after each
/// <see cref="SupervisorEngine.Handle"/>; it allocates nothing per input once warm. A failed write loses that chunk
/// (counted in <see cref="WriteFailures"/>), never the supervisor: the reader of the trace stops where the chunk is missing.
/// </summary>
public sealed class SupervisorTraceRecorder : IDisposable
{
    private readonly TraceWriter<SupervisorInput> _writer;

    private SupervisorTraceRecorder(TraceWriter<SupervisorInput> writer) => _writer = writer;

    /// <summary>
    /// The recording's defaults: the writer's, but a chunk is sealed after 10 s rather than 1 s — a supervisor takes a
    /// few inputs a second, and each chunk's framing (32 bytes) would otherwise cost more than its inputs. A crash of the
    /// supervisor loses at most the last 10 s of the trace.
    /// </summary>
    public static TraceWriterOptions DefaultOptions { get; } = new() { SealAfter = TimeSpan.FromSeconds(10) };

    /// <summary>Chunks that could not be written.</summary>
    public long WriteFailures { get; private set; }

    /// <summary>Inputs recorded.</summary>
    public long Events => _writer.Events;

    /// <summary>Bytes written over every file of the recording.</summary>
    public long BytesWritten => _writer.BytesWritten;

    /// <summary>Starts recording a supervisor of <paramref name="services"/> seeded with <paramref name="seed"/> at <paramref name="path"/> (with <see cref="DefaultOptions"/> unless given).</summary>
    /// <exception cref="IOException">The file could not be created.</exception>
    public static SupervisorTraceRecorder Create(string path, ServiceSet services, ulong seed, TraceWriterOptions? options = null) =>
        new(TraceWriter<SupervisorInput>.Create(path, SupervisorTrace.Header(services, seed), new SupervisorInputCodec(), options ?? DefaultOptions));

    /// <summary>Records <paramref name="input"/> and the decisions it caused.</summary>
    public void Record(SupervisorInput input, IReadOnlyList<SupervisorDecision> decisions)
    {
        try
        {
            _writer.Record(input, SupervisorDecisions.Hash(decisions));
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
