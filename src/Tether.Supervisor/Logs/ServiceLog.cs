using System.Buffers;
using System.Threading.Channels;

namespace Tether.Supervisor.Logs;

/// <summary>
/// Everything the supervisor keeps of one service's output: the log file (through a <see cref="LogFileWriter"/> on a
/// task of its own), the in-memory <see cref="LogRing"/>, and the readers following it live.
/// </summary>
/// <remarks>
/// <para>The output pumps of the service's instances never wait here. Bytes for the file are copied into a queue
/// bounded by <see cref="MaxQueuedBytes"/>; when the writer cannot keep up (a slow or full disk) a chunk that does not
/// fit is dropped and its lines are counted, so a flood costs lines in the file, never a blocked service, supervisor
/// or neighbour. Followers get lines through bounded queues that drop their oldest line when the reader lags.</para>
/// <para>Drops are reported through the callback given at construction, at most once per
/// <see cref="DropReportInterval"/>, with the running total (the supervisor journals them).</para>
/// </remarks>
internal sealed class ServiceLog : IAsyncDisposable
{
    /// <summary>Bytes that may wait for the writer before chunks are dropped.</summary>
    internal const long MaxQueuedBytes = 8L * 1024 * 1024;

    /// <summary>Lines a live follower may lag behind before its oldest lines are dropped.</summary>
    internal const int FollowerCapacity = 4096;

    /// <summary>The shortest time between two drop reports of one service.</summary>
    internal static readonly TimeSpan DropReportInterval = TimeSpan.FromSeconds(1);

    private readonly Channel<LogChunk> _chunks = Channel.CreateUnbounded<LogChunk>(new UnboundedChannelOptions { SingleReader = true });
    private readonly LogFileWriter _file;
    private readonly Action<string, long, string>? _dropped;
    private readonly TimeProvider _time;
    private readonly Lock _followersGate = new();
    private readonly Task _writing;
    private Channel<LogLine>[] _followers = [];
    private long _queuedBytes;
    private long _droppedQueueFull;
    private long _reportedDrops;
    private long _lastDropReport;

    /// <summary>Creates the log of <paramref name="service"/> and starts its writer.</summary>
    /// <param name="service">The service's name (the file is <c>NAME.log</c>).</param>
    /// <param name="directory">The logs directory (<c>.tether/logs</c>), created 0700 on the first write.</param>
    /// <param name="policy">Rotation size and count.</param>
    /// <param name="ringLines">Lines kept in memory.</param>
    /// <param name="time">The clock that spaces the drop reports.</param>
    /// <param name="dropped">Told (service, total dropped lines, why) when lines were dropped; may be null.</param>
    public ServiceLog(string service, string directory, LogPolicy policy, int ringLines, TimeProvider time, Action<string, long, string>? dropped)
    {
        Service = service;
        _file = new LogFileWriter(directory, service, policy);
        Ring = new LogRing(ringLines);
        _time = time;
        _dropped = dropped;
        _writing = Task.Run(WriteAsync);
    }

    /// <summary>The service's name.</summary>
    public string Service { get; }

    /// <summary>The last lines, in memory.</summary>
    public LogRing Ring { get; }

    /// <summary>The log file's path.</summary>
    public string FilePath => _file.Path;

    /// <summary>Rotation size and count; a reload may change them (they apply from the next line written).</summary>
    public LogPolicy Policy
    {
        get => _file.Policy;
        set => _file.Policy = value;
    }

    /// <summary>Lines that never reached the file: the writer could not keep up, or writing failed (a full disk).</summary>
    public long DroppedLines => Interlocked.Read(ref _droppedQueueFull) + _file.DroppedLines;

    /// <summary>Lines written to the file so far.</summary>
    public long WrittenLines => _file.WrittenLines;

    /// <summary>Bytes written to the service's log files.</summary>
    public long WrittenBytes => _file.WrittenBytes;

    /// <summary>A stream the output pump of <paramref name="source"/> copies its bytes into (the run's tee).</summary>
    public Stream Tee(LogSource source) => new LogTee(this, source);

    /// <summary>Queues bytes of <paramref name="source"/> for the file, or drops and counts them when the queue is full. Never waits.</summary>
    public void Enqueue(LogSource source, ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return;
        }

        if (Interlocked.Add(ref _queuedBytes, bytes.Length) > MaxQueuedBytes)
        {
            Interlocked.Add(ref _queuedBytes, -bytes.Length);
            Interlocked.Add(ref _droppedQueueFull, bytes.Count((byte)'\n'));
            _chunks.Writer.TryWrite(new LogChunk(source, null, 0, Gap: true));
            return;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(bytes.Length);
        bytes.CopyTo(buffer);
        if (!_chunks.Writer.TryWrite(new LogChunk(source, buffer, bytes.Length)))
        {
            // Completed: the supervisor is closing its logs; the run's last bytes have nowhere to go.
            Interlocked.Add(ref _queuedBytes, -bytes.Length);
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The stream of <paramref name="source"/> ended: its last partial line is written out.</summary>
    public void EndOfStream(LogSource source) => _chunks.Writer.TryWrite(new LogChunk(source, null, 0));

    /// <summary>A line of the service, read by an output pump: kept in the ring and handed to every follower.</summary>
    public void AddLine(LogLine line)
    {
        Ring.Add(line);
        foreach (var follower in Volatile.Read(ref _followers))
        {
            follower.Writer.TryWrite(line);
        }
    }

    /// <summary>Starts handing lines to <paramref name="follower"/> (a bounded channel that drops its oldest line when full).</summary>
    public void Follow(Channel<LogLine> follower)
    {
        lock (_followersGate)
        {
            _followers = [.. _followers, follower];
        }
    }

    /// <summary>Stops handing lines to <paramref name="follower"/>.</summary>
    public void Unfollow(Channel<LogLine> follower)
    {
        lock (_followersGate)
        {
            _followers = [.. _followers.Where(f => f != follower)];
        }
    }

    /// <summary>Writes what is queued, closes the file and completes the followers.</summary>
    public async ValueTask DisposeAsync()
    {
        _chunks.Writer.TryComplete();
        await _writing.ConfigureAwait(false);
        lock (_followersGate)
        {
            foreach (var follower in _followers)
            {
                follower.Writer.TryComplete();
            }

            _followers = [];
        }
    }

    private async Task WriteAsync()
    {
        var reader = _chunks.Reader;
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (reader.TryRead(out var chunk))
                {
                    Interlocked.Add(ref _queuedBytes, -chunk.Length);
                    try
                    {
                        _file.Write(chunk);
                    }
                    finally
                    {
                        chunk.Return();
                    }
                }

                _file.Flush();
                ReportDrops(force: false);
            }
        }
        finally
        {
            _file.Dispose();
            ReportDrops(force: true);
        }
    }

    private void ReportDrops(bool force)
    {
        var total = DroppedLines;
        if (total == _reportedDrops || _dropped is null)
        {
            return;
        }

        var now = _time.GetTimestamp();
        if (!force && _lastDropReport != 0 && _time.GetElapsedTime(_lastDropReport, now) < DropReportInterval)
        {
            return;
        }

        _reportedDrops = total;
        _lastDropReport = now;
        var why = _file.LastError is { } error
            ? "writing the log failed: " + error
            : "the log writer could not keep up with the output";
        _dropped(Service, total, why);
    }
}
