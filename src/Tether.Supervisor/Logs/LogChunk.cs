using System.Buffers;

namespace Tether.Supervisor.Logs;

/// <summary>
/// Bytes of one instance's stream on their way to the service's log file, in a pooled buffer the writer returns; or,
/// with no bytes, news about the stream: it ended (so a last line without a line break is written out), or bytes of it
/// were dropped (so the line they cut is not glued together from the pieces around the gap).
/// </summary>
/// <param name="Source">Which instance and stream the bytes came from (partial lines are kept apart per source).</param>
/// <param name="Buffer">A buffer from <see cref="ArrayPool{T}.Shared"/>, or null for news.</param>
/// <param name="Length">How many bytes of <paramref name="Buffer"/> are the chunk.</param>
/// <param name="Gap">With no buffer: bytes of the source were dropped here (rather than: the stream ended).</param>
internal readonly record struct LogChunk(LogSource Source, byte[]? Buffer, int Length, bool Gap = false)
{
    /// <summary>True when this is the end of the source's stream.</summary>
    public bool IsEnd => Buffer is null && !Gap;

    /// <summary>True when bytes of the source were dropped just before this point.</summary>
    public bool IsGap => Buffer is null && Gap;

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
