using System.Buffers;

namespace Tether.Supervisor.Logs;

/// <summary>
/// Bytes of one instance's stream on their way to the service's log file, in a pooled buffer the writer returns; or,
/// with no bytes, the news that the stream ended (so a last line without a line break is written out).
/// </summary>
/// <param name="Source">Which instance and stream the bytes came from (partial lines are kept apart per source).</param>
/// <param name="Buffer">A buffer from <see cref="ArrayPool{T}.Shared"/>, or null for the end of the stream.</param>
/// <param name="Length">How many bytes of <paramref name="Buffer"/> are the chunk.</param>
internal readonly record struct LogChunk(LogSource Source, byte[]? Buffer, int Length)
{
    /// <summary>True when this is the end of the source's stream rather than bytes.</summary>
    public bool IsEnd => Buffer is null;

    /// <summary>The chunk's bytes.</summary>
    public ReadOnlySpan<byte> Bytes => Buffer.AsSpan(0, Length);

    /// <summary>Gives the buffer back to the pool.</summary>
    public void Return()
    {
        if (Buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(Buffer);
        }
    }
}

/// <summary>One stream of one instance: where a line in a service's log file came from.</summary>
/// <param name="Index">The instance's index.</param>
/// <param name="Stream">stdout or stderr.</param>
/// <param name="Prefixed">Whether its lines start with <c>[INDEX] </c> in the file (a service with more than one instance).</param>
internal readonly record struct LogSource(int Index, LogStream Stream, bool Prefixed);
