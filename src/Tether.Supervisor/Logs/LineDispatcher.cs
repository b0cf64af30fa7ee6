using System.Threading.Channels;

namespace Tether.Supervisor.Logs;

/// <summary>
/// Hands every line to <see cref="SupervisorOptions.OnLine"/> (the foreground view of <c>tether up</c>) on a task of
/// its own, through a bounded queue: a slow terminal drops lines (counted in <see cref="Dropped"/>) instead of holding
/// back the output pumps and with them the services.
/// </summary>
internal sealed class LineDispatcher : IAsyncDisposable
{
    /// <summary>Lines that may wait for the callback.</summary>
    internal const int Capacity = 16 * 1024;

    private readonly Channel<LogLine> _lines = Channel.CreateBounded<LogLine>(new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly Action<LogLine> _onLine;
    private readonly Task _dispatching;
    private long _dropped;

    /// <summary>Starts dispatching to <paramref name="onLine"/>.</summary>
    public LineDispatcher(Action<LogLine> onLine)
    {
        _onLine = onLine;
        _dispatching = Task.Run(DispatchAsync);
    }

    /// <summary>Lines the callback never got because it fell behind.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Queues a line; drops and counts it when the queue is full.</summary>
    public void Add(LogLine line)
    {
        if (!_lines.Writer.TryWrite(line))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    /// <summary>Delivers what is queued, then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _lines.Writer.TryComplete();
        await _dispatching.ConfigureAwait(false);
    }

    private async Task DispatchAsync()
    {
        await foreach (var line in _lines.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                _onLine(line);
            }
            catch (Exception)
            {
                // The view's failure is the view's; the services and their logs go on.
            }
        }
    }
}
