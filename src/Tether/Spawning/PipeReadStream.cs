using System.Net.Sockets;

namespace Tether.Spawning;

/// <summary>
/// The host's read end of a pipe from a child, read asynchronously through epoll. The descriptor is wrapped in a
/// <see cref="Socket"/>, which reads a descriptor that is not a socket with <c>read(2)</c> and waits for it through
/// the runtime's epoll loop, so no thread-pool thread blocks per stream (as anonymous pipe streams do on Unix).
/// A pipe rather than a socket pair because a pipe is what programs expect on their stdout and stderr: a write of a
/// few KiB costs the child less than on a Unix socket (≈25% of <c>seq 1 1000000</c>'s time here), and
/// <c>/dev/stdout</c> can be opened.
/// </summary>
internal sealed class PipeReadStream : Stream
{
    private readonly Socket _socket;

    /// <param name="fd">The read end; owned (closed on dispose).</param>
    public PipeReadStream(int fd) => _socket = new Socket(new SafeSocketHandle(fd, ownsHandle: true));

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
        try
        {
            return await _socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            throw new IOException(ex.Message, ex);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(Span<byte> buffer)
    {
        try
        {
            return _socket.Receive(buffer, SocketFlags.None);
        }
        catch (SocketException ex)
        {
            throw new IOException(ex.Message, ex);
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _socket.Dispose();
        }

        base.Dispose(disposing);
    }
}
