namespace Tether.Cli.Streams;

/// <summary>
/// Tether's own stdin as the child's input source, readable with a cancellation that really works.
/// </summary>
/// <remarks>
/// A read on a pipe or terminal cannot be cancelled: when tether's stdin is a pipe nobody writes to or closes (an
/// <c>ssh</c> session, a CI step), a plain copy would block forever and hold the end of the run after the child
/// exited. Here each read runs on its own into a private buffer, and a cancelled wait abandons it: the read may still
/// finish later, into memory no one else uses, and its bytes are dropped because the run is over.
/// </remarks>
internal sealed class ForwardedInput(Stream inner) : Stream
{
    private const int BufferSize = 64 * 1024;
    private readonly byte[] _buffer = new byte[BufferSize];
    private Task<int>? _pending;
    private int _offset;
    private int _available;
    private bool _ended;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        if (_available == 0)
        {
            if (_ended)
            {
                return 0;
            }

            // A read abandoned by an earlier cancellation is still ours: wait for it rather than start a second one.
            _pending ??= Task.Run(() => inner.Read(_buffer, 0, _buffer.Length), CancellationToken.None);
            var read = await _pending.WaitAsync(cancellationToken).ConfigureAwait(false);
            _pending = null;
            _offset = 0;
            _available = read;
            if (read == 0)
            {
                _ended = true;
                return 0;
            }
        }

        var count = Math.Min(_available, buffer.Length);
        _buffer.AsSpan(_offset, count).CopyTo(buffer.Span);
        _offset += count;
        _available -= count;
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
