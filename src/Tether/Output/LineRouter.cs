namespace Tether.Output;

/// <summary>
/// Hands each output line of a streaming run to whoever takes it: <see cref="RunningProcess.StdoutLines"/>,
/// <see cref="RunningProcess.StderrLines"/>, <see cref="RunningProcess.Events"/> and readiness waits.
/// </summary>
/// <remarks>
/// <para>A line is stored once, in its stream's backlog (the last 4096 lines of each stream), and queued only into the
/// streams someone has taken. Taking a stream creates its queue seeded from the backlog, so a late reader still gets
/// the lines from the first one, as far as the backlog reaches. Each stream counts the lines its reader never got
/// because a buffer was full: the ones that left the backlog before the stream was taken, and the oldest seeded
/// events past the queue's capacity. A stream nobody takes never counts a drop.</para>
/// <para>Lines carry a sequence number so that a late <see cref="RunningProcess.Events"/> reader gets both streams in
/// the order they arrived. The pumps add lines concurrently (one per stream); taking and adding synchronise on one
/// lock, queueing itself (which may wait under backpressure) happens outside it.</para>
/// <para>Until someone asks for a stream's lines (takes it, its events, or waits for a line), a stream registered with
/// <see cref="SplitLazily"/> is not split at all: its pump hands over raw chunks (<see cref="KeepUnsplit"/>), kept in
/// an <see cref="UnsplitBacklog"/>, and the first taker splits them into the backlog of lines. A run nobody reads
/// line by line thus allocates nothing per line.</para>
/// </remarks>
internal sealed class LineRouter
{
    private const int RecentLinesCount = 1024;
    private readonly int _capacity;
    private readonly ProcessEvent.Started _started;
    private readonly Lock _gate = new();
    private readonly StreamLines _stdout;
    private readonly StreamLines _stderr;
    private readonly List<LineWaiter> _waiters = [];
    private LineQueue<ProcessEvent>? _events;
    private long _eventsMissed;
    private ProcessEvent.Exited? _exited;
    private long _nextSequence;

    public LineRouter(int capacity, ProcessEvent.Started started)
    {
        _capacity = capacity;
        _started = started;
        _stdout = new StreamLines("StdoutLines()", capacity);
        _stderr = new StreamLines("StderrLines()", capacity);
    }

    /// <summary>Stdout lines that the <see cref="RunningProcess.StdoutLines"/> reader did not get because a buffer was full.</summary>
    public long DroppedStdoutLines => _stdout.Dropped;

    /// <summary>Stderr lines that the <see cref="RunningProcess.StderrLines"/> reader did not get because a buffer was full.</summary>
    public long DroppedStderrLines => _stderr.Dropped;

    /// <summary>Events that the <see cref="RunningProcess.Events"/> reader did not get because a buffer was full.</summary>
    public long DroppedEvents => Interlocked.Read(ref _eventsMissed) + (Volatile.Read(ref _events)?.Dropped ?? 0);

    /// <summary>
    /// Lets <paramref name="which"/> stream stay unsplit until someone asks for its lines; <paramref name="splitter"/>
    /// is the one its pump splits with from then on. Call before the pump starts.
    /// </summary>
    public void SplitLazily(OutputStreams which, LineSplitter splitter)
    {
        var stream = Of(which);
        lock (_gate)
        {
            stream.Splitter = splitter;
            stream.Unsplit = new UnsplitBacklog(_capacity);
        }
    }

    /// <summary>
    /// Keeps <paramref name="read"/> bytes of <paramref name="buffer"/> unsplit while nobody wants the lines of
    /// <paramref name="which"/> stream (the buffer may be kept and a fresh one handed back); false when the lines are
    /// wanted and the caller must split the bytes and add the lines (<see cref="AddLinesAsync"/>).
    /// </summary>
    public bool KeepUnsplit(OutputStreams which, ref byte[] buffer, int read)
    {
        var stream = Of(which);
        lock (_gate)
        {
            if (stream.Unsplit is not { } unsplit)
            {
                return false;
            }

            unsplit.Keep(ref buffer, read, ref _nextSequence);
            return true;
        }
    }

    /// <summary>The stream ended while still unsplit (true), or its lines are wanted and the caller finishes its splitter (false).</summary>
    public bool EndUnsplit(OutputStreams which)
    {
        var stream = Of(which);
        lock (_gate)
        {
            if (stream.Unsplit is not { } unsplit)
            {
                return false;
            }

            unsplit.End(ref _nextSequence);
            return true;
        }
    }

    /// <summary>Takes the stdout lines; throws on a second call.</summary>
    public IAsyncEnumerable<string> TakeStdout(CancellationToken cancellationToken) => TakeLines(_stdout, cancellationToken);

    /// <summary>Takes the stderr lines; throws on a second call.</summary>
    public IAsyncEnumerable<string> TakeStderr(CancellationToken cancellationToken) => TakeLines(_stderr, cancellationToken);

    /// <summary>Takes the events: the start, the lines of both streams kept so far in order, then what follows.</summary>
    public IAsyncEnumerable<ProcessEvent> TakeEvents(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_events is not null)
            {
                return _events.Take(cancellationToken); // throws: taken once already
            }

            Split(_stdout);
            Split(_stderr);
            var queue = new LineQueue<ProcessEvent>(_capacity, "Events()");
            queue.Seed(_started);
            var kept = 0L;
            foreach (var (stream, _, line) in Merge(_stdout.Backlog, _stderr.Backlog))
            {
                queue.Seed(stream == OutputStreams.Stdout ? new ProcessEvent.StdoutLine(line) : new ProcessEvent.StderrLine(line));
                kept++;
            }

            Interlocked.Exchange(ref _eventsMissed, _stdout.Seen + _stderr.Seen - kept);
            if (_exited is not null)
            {
                queue.Seed(_exited);
                queue.Complete();
            }

            var lines = queue.Take(cancellationToken);
            Volatile.Write(ref _events, queue);
            return lines;
        }
    }

    /// <summary>
    /// A line among the last 1024 of <paramref name="streams"/> that matches <paramref name="waiter"/>; when there is
    /// none, the waiter is registered and offered every line that follows until <see cref="Forget"/>.
    /// </summary>
    public string? FindOrWait(LineWaiter waiter, OutputStreams streams)
    {
        lock (_gate)
        {
            Split(_stdout);
            Split(_stderr);
            var recentFrom = _nextSequence - RecentLinesCount;
            foreach (var (stream, sequence, line) in Merge(_stdout.Backlog, _stderr.Backlog))
            {
                if (sequence >= recentFrom && (stream & streams) != 0 && waiter.Matches(stream, line))
                {
                    return line;
                }

                if (waiter.Found.Task.IsFaulted)
                {
                    return null; // the predicate threw; the caller reports it
                }
            }

            _waiters.Add(waiter);
            return null;
        }
    }

    /// <summary>Stops offering lines to <paramref name="waiter"/>.</summary>
    public void Forget(LineWaiter waiter)
    {
        lock (_gate)
        {
            _waiters.Remove(waiter);
        }
    }

    /// <summary>
    /// Adds the <paramref name="lines"/> of one read of <paramref name="which"/> stream, in order: into its backlog,
    /// and into the queues of the streams that were taken (waiting while a reader that keeps reading is behind). All
    /// of them under one lock and as one batch per queue: the cost per line is the line itself, and an event only
    /// when someone took the events. The caller must not change <paramref name="lines"/> until this completes.
    /// </summary>
    public ValueTask AddLinesAsync(OutputStreams which, List<string> lines, CancellationToken cancellationToken)
    {
        if (lines.Count == 0)
        {
            return ValueTask.CompletedTask;
        }

        var stream = Of(which);
        LineQueue<string>? queue;
        LineQueue<ProcessEvent>? events;
        lock (_gate)
        {
            foreach (var line in lines)
            {
                stream.Keep(_nextSequence++, line);
            }

            foreach (var waiter in _waiters)
            {
                foreach (var line in lines)
                {
                    waiter.Offer(which, line);
                }
            }

            queue = stream.Queue;
            events = _events;
        }

        if (events is not null)
        {
            var batch = stream.EventBatch;
            batch.Clear();
            foreach (var line in lines)
            {
                batch.Add(which == OutputStreams.Stdout ? new ProcessEvent.StdoutLine(line) : new ProcessEvent.StderrLine(line));
            }
        }

        if (queue is null)
        {
            return events is null ? ValueTask.CompletedTask : events.AddRangeAsync(stream.EventBatch, cancellationToken);
        }

        var queued = queue.AddRangeAsync(lines, cancellationToken);
        return events is null ? queued
            : queued.IsCompletedSuccessfully ? events.AddRangeAsync(stream.EventBatch, cancellationToken)
            : ThenEventsAsync(queued, events, stream.EventBatch, cancellationToken);

        static async ValueTask ThenEventsAsync(ValueTask queued, LineQueue<ProcessEvent> events, List<ProcessEvent> batch, CancellationToken cancellationToken)
        {
            await queued.ConfigureAwait(false);
            await events.AddRangeAsync(batch, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The run ended: the events get <paramref name="exited"/> last, and every taken stream ends.</summary>
    public async ValueTask CompleteAsync(ProcessEvent.Exited exited)
    {
        LineQueue<string>? stdout;
        LineQueue<string>? stderr;
        LineQueue<ProcessEvent>? events;
        lock (_gate)
        {
            _exited = exited;
            _stdout.Completed = _stderr.Completed = true;
            stdout = _stdout.Queue;
            stderr = _stderr.Queue;
            events = _events;
        }

        if (events is not null)
        {
            await events.AddAsync(exited, CancellationToken.None).ConfigureAwait(false);
            events.Complete();
        }

        stdout?.Complete();
        stderr?.Complete();
    }

    private StreamLines Of(OutputStreams which) => which == OutputStreams.Stdout ? _stdout : _stderr;

    /// <summary>Someone wants the lines of <paramref name="stream"/>: splits what it kept unsplit into its backlog. Under the lock.</summary>
    private static void Split(StreamLines stream)
    {
        if (stream.Unsplit is not { } unsplit)
        {
            return;
        }

        stream.Unsplit = null;
        unsplit.SplitInto(stream.Splitter!, stream.Keep);
        stream.Missed(unsplit.Missed);
    }

    private static IEnumerable<(OutputStreams Stream, long Sequence, string Line)> Merge(
        Queue<(long Sequence, string Line)> stdout, Queue<(long Sequence, string Line)> stderr)
    {
        using var o = stdout.GetEnumerator();
        using var e = stderr.GetEnumerator();
        var hasO = o.MoveNext();
        var hasE = e.MoveNext();
        while (hasO || hasE)
        {
            if (hasO && (!hasE || o.Current.Sequence < e.Current.Sequence))
            {
                yield return (OutputStreams.Stdout, o.Current.Sequence, o.Current.Line);
                hasO = o.MoveNext();
            }
            else
            {
                yield return (OutputStreams.Stderr, e.Current.Sequence, e.Current.Line);
                hasE = e.MoveNext();
            }
        }
    }

    private IAsyncEnumerable<string> TakeLines(StreamLines stream, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (stream.Queue is not null)
            {
                return stream.Queue.Take(cancellationToken); // throws: taken once already
            }

            Split(stream);
            var queue = new LineQueue<string>(_capacity, stream.Name);
            foreach (var (_, line) in stream.Backlog)
            {
                queue.Seed(line);
            }

            stream.MissedBeforeTake = stream.Seen - stream.Backlog.Count;
            if (stream.Completed)
            {
                queue.Complete();
            }

            var lines = queue.Take(cancellationToken);
            stream.Queue = queue;
            return lines;
        }
    }

    /// <summary>One output stream's backlog, its queue once taken, and its counts. Guarded by the router's lock.</summary>
    private sealed class StreamLines(string name, int capacity)
    {
        private long _missedBeforeTake;

        public string Name { get; } = name;

        public Queue<(long Sequence, string Line)> Backlog { get; } = new(capacity);

        /// <summary>The events of the lines being added, reused from one read to the next (only the stream's pump uses it).</summary>
        public List<ProcessEvent> EventBatch { get; } = [];

        public long Seen { get; private set; }

        public bool Completed { get; set; }

        /// <summary>The stream's bytes while nobody has asked for its lines; null once split (or when split from the start).</summary>
        public UnsplitBacklog? Unsplit { get; set; }

        /// <summary>The splitter the pump and <see cref="UnsplitBacklog.SplitInto"/> share.</summary>
        public LineSplitter? Splitter { get; set; }

        public LineQueue<string>? Queue
        {
            get => Volatile.Read(ref field);
            set => Volatile.Write(ref field, value);
        }

        public long MissedBeforeTake
        {
            get => Interlocked.Read(ref _missedBeforeTake);
            set => Interlocked.Exchange(ref _missedBeforeTake, value);
        }

        public long Dropped => MissedBeforeTake + (Queue?.Dropped ?? 0);

        /// <summary>Counts lines that never reached the backlog.</summary>
        public void Missed(long count) => Seen += count;

        public void Keep(long sequence, string line)
        {
            Seen++;
            if (Backlog.Count == capacity)
            {
                Backlog.Dequeue();
            }

            Backlog.Enqueue((sequence, line));
        }
    }
}
