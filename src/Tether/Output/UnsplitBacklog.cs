using System.Buffers;

namespace Tether.Output;

/// <summary>
/// The backlog of one output stream while nobody has asked for its lines: the raw bytes of (at least) its last lines,
/// not yet decoded or split. Keeping bytes instead of strings is what lets a run that nobody reads line by line
/// (<c>tether run</c>, a capture started with <see cref="IProcessRunner.StartAsync"/>) cost nothing per line: the
/// only work per chunk is counting its line breaks, which is vectorised. When someone takes the stream, the router
/// decodes what is kept here into lines (<see cref="SplitInto"/>) and the stream is split eagerly from then on.
/// </summary>
/// <remarks>
/// Only for encodings in which byte 0x0A is always a line break and never part of another character (UTF-8, ASCII,
/// Latin-1): the kept bytes may then start at any line break and still decode. Guarded by the router's lock.
/// </remarks>
internal sealed class UnsplitBacklog
{
    /// <summary>
    /// The most bytes kept beyond what the last lines need: a stream without line breaks (binary output) keeps only
    /// its newest 16 MiB, so the backlog stays bounded whatever the program writes.
    /// </summary>
    public const int MaxBytes = 16 * 1024 * 1024;

    /// <summary>Reads at least this long are kept in the pump's own buffer, which the backlog then owns (no copy).</summary>
    private const int OwnedChunkMinimum = 16 * 1024;

    private const int SlabSize = 64 * 1024;
    private readonly int _lines;
    private readonly Queue<Chunk> _chunks = new();
    private byte[]? _spare; // an owned buffer of a dropped chunk, handed to the pump next instead of renting
    private byte[]? _slab;
    private int _slabUsed;
    private long _newlines;
    private long _bytes;
    private bool _startsMidLine;
    private byte _lastByte = (byte)'\n';

    /// <param name="lines">How many of the last lines the backlog must be able to give back.</param>
    public UnsplitBacklog(int lines) => _lines = lines;

    /// <summary>Lines that left the backlog before anyone took them.</summary>
    public long Dropped { get; private set; }

    /// <summary>The sequence number given to the final line when the stream ended without a line break; else null.</summary>
    public long? FinalLineSequence { get; private set; }

    /// <summary>True once the stream ended.</summary>
    public bool Ended { get; private set; }

    /// <summary>
    /// Keeps <paramref name="read"/> bytes of <paramref name="buffer"/>, whose lines get sequence numbers from
    /// <paramref name="nextSequence"/> on (advanced past them). A large read keeps the buffer itself: the caller gets a
    /// fresh pooled one back in <paramref name="buffer"/>.
    /// </summary>
    public void Keep(ref byte[] buffer, int read, ref long nextSequence)
    {
        var bytes = buffer.AsSpan(0, read);
        var newlines = bytes.Count((byte)'\n');
        Chunk chunk;
        if (read >= OwnedChunkMinimum)
        {
            chunk = new Chunk(buffer, 0, read, nextSequence, newlines, Owned: true);

            // A stream without line breaks keeps hundreds of buffers; the shared pool would run dry and allocate.
            buffer = _spare is { } spare && spare.Length >= buffer.Length ? spare : ArrayPool<byte>.Shared.Rent(buffer.Length);
            _spare = null;
        }
        else
        {
            if (_slab is null || SlabSize - _slabUsed < read)
            {
                // Slabs are shared by several chunks, so they are left to the collector rather than pooled.
                _slab = GC.AllocateUninitializedArray<byte>(SlabSize);
                _slabUsed = 0;
            }

            bytes.CopyTo(_slab.AsSpan(_slabUsed));
            chunk = new Chunk(_slab, _slabUsed, read, nextSequence, newlines, Owned: false);
            _slabUsed += read;
        }

        nextSequence += newlines;
        _chunks.Enqueue(chunk);
        _newlines += newlines;
        _bytes += read;
        _lastByte = bytes[^1];
        DropOld();
    }

    /// <summary>The stream ended: a final line without a line break gets the sequence number <paramref name="nextSequence"/>.</summary>
    public void End(ref long nextSequence)
    {
        Ended = true;
        if (_lastByte != (byte)'\n')
        {
            FinalLineSequence = nextSequence++;
        }
    }

    /// <summary>
    /// Decodes the kept bytes through <paramref name="splitter"/> and hands each line with its sequence number to
    /// <paramref name="keep"/>, in order; finishes the splitter when the stream ended. Empties the backlog.
    /// </summary>
    public void SplitInto(LineSplitter splitter, Action<long, string> keep)
    {
        // The first line lost its head with the dropped bytes, so it is skipped, unless what is left of it is a long
        // line's tail (binary output, say): the splitter would have cut that into pieces anyway, so the newest pieces
        // are what the reader gets.
        var skipping = _startsMidLine && HeadLineLength() < LineSplitter.MaxLineChars;
        _startsMidLine = skipping;
        foreach (var chunk in _chunks)
        {
            var bytes = chunk.Array.AsSpan(chunk.Offset, chunk.Length);
            var index = 0;
            if (skipping)
            {
                var newline = bytes.IndexOf((byte)'\n');
                if (newline < 0)
                {
                    Release(chunk);
                    continue;
                }

                skipping = false;
                bytes = bytes[(newline + 1)..];
                index = 1;
            }

            var first = chunk.FirstSequence;
            var last = first + Math.Max(chunk.Newlines, 1) - 1;
            splitter.Feed(bytes, line => keep(Math.Min(first + index++, last), line));
            Release(chunk);
        }

        _chunks.Clear();
        if (_spare is not null)
        {
            ArrayPool<byte>.Shared.Return(_spare);
            _spare = null;
        }

        if (Ended)
        {
            var sequence = FinalLineSequence ?? 0;
            splitter.Finish(line => keep(sequence, line));
        }
    }

    /// <summary>The lines dropped so far, plus the one whose head was dropped (it is skipped when split).</summary>
    public long Missed => Dropped + (_startsMidLine ? 1 : 0);

    /// <summary>The bytes kept of the first line, up to its line break or the end of what is kept.</summary>
    private long HeadLineLength()
    {
        var length = 0L;
        foreach (var chunk in _chunks)
        {
            var newline = chunk.Array.AsSpan(chunk.Offset, chunk.Length).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                return length + newline;
            }

            length += chunk.Length;
        }

        return length;
    }

    private void DropOld()
    {
        while (_chunks.Count > 1)
        {
            var head = _chunks.Peek();

            // Keep one line break more than the lines needed: the first kept line may have lost its head.
            var enoughLines = _newlines - head.Newlines >= _lines + 1;
            var tooLarge = _bytes - head.Length >= MaxBytes;
            if (!enoughLines && !tooLarge)
            {
                return;
            }

            _chunks.Dequeue();
            _newlines -= head.Newlines;
            _bytes -= head.Length;
            Dropped += head.Newlines; // each of them ended a line that is gone, or lost its head
            _startsMidLine = head.Array[head.Offset + head.Length - 1] != (byte)'\n';
            if (head.Owned && _spare is null)
            {
                _spare = head.Array;
            }
            else
            {
                Release(head);
            }
        }
    }

    private static void Release(Chunk chunk)
    {
        if (chunk.Owned)
        {
            ArrayPool<byte>.Shared.Return(chunk.Array);
        }
    }

    /// <summary>Bytes of one read, and the sequence number of the first line that ends in them.</summary>
    private readonly record struct Chunk(byte[] Array, int Offset, int Length, long FirstSequence, int Newlines, bool Owned);
}
