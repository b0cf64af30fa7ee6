namespace Tether.Cli.Streams;

/// <summary>
/// The stream a child's output is copied to (tether's own stdout or stderr). It remembers whether the last byte was a
/// line break, so that tether's own output can start on a fresh line, and it notices when the reader went away
/// (<see cref="Broken"/>): a child writing straight to a closed pipe would get SIGPIPE, and tether passes that on.
/// </summary>
internal sealed class OutputTee(Stream inner) : Stream
{
    private readonly CancellationTokenSource _broken = new();
    private long _written;
    private byte _last;

    /// <summary>Cancelled once a write failed because nobody reads the destination any more.</summary>
    public CancellationToken Broken => _broken.Token;

    /// <summary>True when nothing was written yet or the last byte written was <c>\n</c>.</summary>
    public bool AtLineStart => Interlocked.Read(ref _written) == 0 || Volatile.Read(ref _last) == (byte)'\n';

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>
    /// Writes synchronously, on purpose: an asynchronous write on a pipe makes .NET set <c>O_NONBLOCK</c> on it, and
    /// that flag belongs to the open file description tether shares with its parent and siblings, who would then see
    /// <c>EAGAIN</c> on their own writes. A blocking write also gives the natural backpressure of a slow reader.
    /// </summary>
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return;
        }

        try
        {
            inner.Write(buffer);
        }
        catch (IOException)
        {
            MarkBroken();
            throw;
        }

        Record(buffer);
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Flush()
    {
        try
        {
            inner.Flush();
        }
        catch (IOException)
        {
            MarkBroken();
            throw;
        }
    }

    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        Flush();
        return Task.CompletedTask;
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _broken.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Record(ReadOnlySpan<byte> written)
    {
        Volatile.Write(ref _last, written[^1]);
        Interlocked.Add(ref _written, written.Length);
    }

    private void MarkBroken()
    {
        try
        {
            _broken.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
