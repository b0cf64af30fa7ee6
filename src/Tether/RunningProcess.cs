using System.Buffers;
using System.Collections.Immutable;
using System.Text;
using Tether.Internal;
using Tether.Output;

namespace Tether;

/// <summary>
/// A live run: one program, or a pipeline, started by <see cref="IProcessRunner.StartAsync"/>, with its whole
/// process tree contained. Read its output as lines or events, wait for readiness, write to its stdin, signal, suspend
/// or stop the tree, and wait for the result. Disposing it kills the tree.
/// </summary>
/// <remarks>
/// One arbiter decides how the run ends: the first of exit, timeout, idle timeout, cancellation, output overflow,
/// <see cref="StopAsync"/> or disposal claims the reason, and cancellation always wins when the result is reported.
/// Output is read from the start whether or not anyone listens: lines are buffered (4096 per stream) until
/// <see cref="StdoutLines"/>, <see cref="StderrLines"/> or <see cref="Events"/> is taken, dropping the oldest when full;
/// while taken, a full buffer holds the pump back (backpressure) until the reader catches up or stops reading.
/// </remarks>
public sealed class RunningProcess : IAsyncDisposable
{
    internal const int LineBufferCapacity = 4096;
    private const int RecentLinesCapacity = 1024;
    private const int ReadBufferSize = 64 * 1024;

    private readonly Pipeline _pipeline;
    private readonly ProcessTree _tree;
    private readonly TimeProvider _time;
    private readonly long _startTimestamp;
    private readonly OutputCapture _stdoutCapture;
    private readonly OutputCapture _stderrCapture;
    private readonly LineQueue<string>? _stdoutLines;
    private readonly LineQueue<string>? _stderrLines;
    private readonly LineQueue<ProcessEvent>? _events;
    private readonly Queue<(OutputStreams Stream, string Line)>? _recentLines;
    private readonly List<LineWaiter> _waiters = [];
    private readonly Lock _linesLock = new();
    private readonly CancellationTokenSource _pumpCancellation = new();
    private readonly CancellationToken[] _cancellationTokens;
    private readonly List<CancellationTokenRegistration> _registrations = [];
    private readonly Task<ProcessResult<byte[]>> _completion;
    private readonly Task _allStagesExited;
    private readonly Lock _stopLock = new();
    private ITimer? _timeoutTimer;
    private ITimer? _idleTimer;
    private StopReason _stopReason;
    private Task _stopping = Task.CompletedTask;
    private Exception? _pumpFailure;
    private Exception? _stdinFailure;
    private ProcessResult<string>? _stringResult;
    private bool _suspended;
    private int _disposed;

    internal RunningProcess(Pipeline pipeline, ProcessTree tree, TimeProvider time, long startTimestamp, bool streaming, CancellationToken extraCancellation)
    {
        _pipeline = pipeline;
        _tree = tree;
        _time = time;
        _startTimestamp = startTimestamp;
        var limit = pipeline.Last.OutputLimit;
        _stdoutCapture = new OutputCapture(limit);
        _stderrCapture = new OutputCapture(limit);
        if (streaming)
        {
            _stdoutLines = new LineQueue<string>(LineBufferCapacity, "StdoutLines()");
            _stderrLines = new LineQueue<string>(LineBufferCapacity, "StderrLines()");
            _events = new LineQueue<ProcessEvent>(LineBufferCapacity, "Events()");
            _recentLines = new Queue<(OutputStreams, string)>();
            _ = _events.AddAsync(new ProcessEvent.Started(Pid, Mechanism), CancellationToken.None);
        }

        _cancellationTokens = [.. pipeline.AllCancellationTokens(), .. extraCancellation.CanBeCanceled ? [extraCancellation] : Array.Empty<CancellationToken>()];
        _allStagesExited = Task.WhenAll(tree.StageExits);
        _completion = RunToEndAsync(streaming);
    }

    private enum StopReason
    {
        None,
        Timeout,
        IdleTimeout,
        Cancelled,
        OutputOverflow,
        PumpFailed,
        Stopped,
        Disposed,
        ReportedTimeout,
    }

    /// <summary>The pid of the last (or only) stage: the one whose stdout you read.</summary>
    public int Pid => _tree.Pids[^1];

    /// <summary>The pids of all stages, first to last.</summary>
    public IReadOnlyList<int> Pids => _tree.Pids;

    /// <summary>The containment actually in force for this run.</summary>
    public ContainmentMechanism Mechanism => _tree.Mechanism;

    /// <summary>The command line (secrets redacted).</summary>
    public string Program => _pipeline.ToString();

    /// <summary>True once the run has ended and its result is known.</summary>
    public bool HasExited => _completion.IsCompleted;

    /// <summary>
    /// The stdout lines as they arrive, from the first one, without terminators. Can be taken once: a second call
    /// throws <see cref="InvalidOperationException"/>.
    /// </summary>
    public IAsyncEnumerable<string> StdoutLines(CancellationToken cancellationToken = default) =>
        (_stdoutLines ?? throw NotStreaming()).Take(cancellationToken);

    /// <summary>The stderr lines as they arrive; can be taken once, like <see cref="StdoutLines"/>.</summary>
    public IAsyncEnumerable<string> StderrLines(CancellationToken cancellationToken = default) =>
        (_stderrLines ?? throw NotStreaming()).Take(cancellationToken);

    /// <summary>
    /// Everything that happens, in order: <see cref="ProcessEvent.Started"/>, output lines of both streams as they
    /// arrive, and <see cref="ProcessEvent.Exited"/> last. Can be taken once.
    /// </summary>
    public IAsyncEnumerable<ProcessEvent> Events(CancellationToken cancellationToken = default) =>
        (_events ?? throw NotStreaming()).Take(cancellationToken);

    /// <summary>Lines dropped from untaken line or event buffers because they were full.</summary>
    public long DroppedLines => (_stdoutLines?.Dropped ?? 0) + (_stderrLines?.Dropped ?? 0);

    /// <summary>
    /// Waits until a line matching <paramref name="predicate"/> appears (including one of the last 1024 lines already
    /// seen) and returns it.
    /// </summary>
    /// <exception cref="NotReadyException">No such line within <paramref name="timeout"/>, or the run ended first. The process is not stopped.</exception>
    public async Task<string> WaitForLineAsync(Func<string, bool> predicate, TimeSpan timeout, OutputStreams streams = OutputStreams.Both, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        if (_recentLines is null)
        {
            throw NotStreaming();
        }

        var waiter = new LineWaiter(predicate, streams);
        lock (_linesLock)
        {
            foreach (var (stream, line) in _recentLines)
            {
                if ((stream & streams) != 0 && predicate(line))
                {
                    return line;
                }
            }

            _waiters.Add(waiter);
        }

        using var timeoutCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(timeout, _time, timeoutCancellation.Token);
        try
        {
            var first = await Task.WhenAny(waiter.Found.Task, delay, _completion).ConfigureAwait(false);
            if (first == waiter.Found.Task || waiter.Found.Task.IsCompleted)
            {
                return await waiter.Found.Task.ConfigureAwait(false);
            }
        }
        finally
        {
            await timeoutCancellation.CancelAsync().ConfigureAwait(false);
            lock (_linesLock)
            {
                _waiters.Remove(waiter);
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        var where = streams switch { OutputStreams.Stdout => "stdout", OutputStreams.Stderr => "stderr", _ => "stdout or stderr" };
        if (_completion.IsCompleted)
        {
            var outcome = _completion.IsCompletedSuccessfully ? _completion.Result.Outcome.ToString() : "ended";
            throw new NotReadyException($"'{Program}' {outcome} before a matching line appeared on {where}.");
        }

        throw new NotReadyException($"No matching line appeared on {where} of '{Program}' within {Durations.Format(timeout)}; the process is still running.");
    }

    /// <summary>Writes bytes to the process's stdin. Requires <see cref="StandardInput.Interactive"/>.</summary>
    /// <exception cref="InvalidOperationException">The command's stdin is not interactive, or stdin was closed.</exception>
    /// <exception cref="ProcessIOException">The process no longer reads its stdin.</exception>
    public async ValueTask WriteStdinAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        var stdin = InteractiveStdin();
        try
        {
            await stdin.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            await stdin.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            throw new InvalidOperationException("Stdin was already closed; it cannot be written again.");
        }
        catch (IOException ex)
        {
            throw new ProcessIOException($"'{Program}' no longer reads its stdin: {ex.Message}", ex);
        }
    }

    /// <summary>Writes text (encoded with the command's encoding) to stdin. Requires <see cref="StandardInput.Interactive"/>.</summary>
    public ValueTask WriteStdinAsync(string text, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        return WriteStdinAsync(_pipeline.First.Encoding.GetBytes(text), cancellationToken);
    }

    /// <summary>Writes a line followed by <c>\n</c> to stdin. Requires <see cref="StandardInput.Interactive"/>.</summary>
    public ValueTask WriteStdinLineAsync(string line, CancellationToken cancellationToken = default) => WriteStdinAsync(line + "\n", cancellationToken);

    /// <summary>Closes stdin so the process reads end-of-file. Closing twice is harmless.</summary>
    public async ValueTask CloseStdinAsync()
    {
        var stdin = InteractiveStdin();
        await stdin.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Sends <paramref name="signal"/> to every process of the tree (not just the main pid).</summary>
    public Task SignalAsync(Signal signal)
    {
        if (!HasExited)
        {
            _tree.Signal(signal);
        }

        return Task.CompletedTask;
    }

    /// <summary>Stops every process of the tree (cgroup freeze, or SIGSTOP to the group). Timeouts keep running.</summary>
    public Task SuspendAsync()
    {
        if (!HasExited)
        {
            _tree.Suspend();
            _suspended = true;
        }

        return Task.CompletedTask;
    }

    /// <summary>Resumes a suspended tree.</summary>
    public Task ResumeAsync()
    {
        if (!HasExited)
        {
            _tree.Resume();
            _suspended = false;
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Stops the tree: the stop signal to every process, up to <paramref name="grace"/> (default: the command's) for
    /// them to exit, then SIGKILL to what is left. Returns the result, whose outcome is how the program really ended.
    /// </summary>
    public Task<ProcessResult<string>> StopAsync(TimeSpan? grace = null, CancellationToken cancellationToken = default)
    {
        RequestStop(StopReason.Stopped, grace ?? _pipeline.Grace);
        return WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Waits for the run to end and returns its result; a non-zero exit, a signal and a timeout are data.
    /// Cancelling <paramref name="cancellationToken"/> abandons the wait only; the process keeps running.
    /// </summary>
    /// <exception cref="OperationCanceledException">The run was cancelled through the command's token.</exception>
    /// <exception cref="OutputTooLargeException">Output exceeded the limit under <see cref="OverflowPolicy.Error"/>.</exception>
    public async Task<ProcessResult<string>> WaitAsync(CancellationToken cancellationToken = default)
    {
        var bytes = await _completion.WaitAsync(cancellationToken).ConfigureAwait(false);
        return _stringResult ??= bytes.WithOutput(_pipeline.Last.Encoding.GetString);
    }

    /// <summary>Waits for the run to end and returns its result with output as bytes.</summary>
    public Task<ProcessResult<byte[]>> WaitBytesAsync(CancellationToken cancellationToken = default) => _completion.WaitAsync(cancellationToken);

    /// <summary>Kills the whole tree (if still running), waits for it to be reaped and releases the containment.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        RequestStop(StopReason.Disposed, TimeSpan.Zero);
        try
        {
            await _completion.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The result was for the owner to observe; disposal only guarantees the tree is gone.
        }

        _stdoutCapture.Dispose();
        _stderrCapture.Dispose();
        _pumpCancellation.Dispose();
    }

    internal Task<ProcessResult<byte[]>> Completion => _completion;

    /// <summary>
    /// A scripted process tree (Tether.Testing) reports that its run timed out — a replayed or scripted timeout — so
    /// the run is stopped the way a real timeout stops it and reports the command's own deadline.
    /// </summary>
    internal void ReportTimedOut() => RequestStop(StopReason.ReportedTimeout, null);

    private async Task<ProcessResult<byte[]>> RunToEndAsync(bool streaming)
    {
        // Runs synchronously up to the first read that has to wait: no extra thread-pool hop per run (busy pool
        // threads measurably slow down the next posix_spawn, which shares the address space while it execs).
        foreach (var token in _cancellationTokens)
        {
            _registrations.Add(token.UnsafeRegister(static state => ((RunningProcess)state!).RequestStop(StopReason.Cancelled, null), this));
        }

        if (_pipeline.Timeout is { } timeout)
        {
            _timeoutTimer = _time.CreateTimer(static state => ((RunningProcess)state!).RequestStop(StopReason.Timeout, null), this, timeout, Timeout.InfiniteTimeSpan);
        }

        if (_pipeline.IdleTimeout is { } idle)
        {
            _idleTimer = _time.CreateTimer(static state => ((RunningProcess)state!).RequestStop(StopReason.IdleTimeout, null), this, idle, Timeout.InfiniteTimeSpan);
        }

        var last = _pipeline.Last;
        var stdinTask = FeedStdinAsync();
        var stdoutPump = PumpAsync(_tree.Stdout, _stdoutCapture, last.StdoutTees, OutputStreams.Stdout,
            streaming || !last.StdoutLineHandlers.IsEmpty ? new LineSplitter(last.Encoding) : null, last.StdoutLineHandlers, _stdoutLines);
        var stderrHandlers = _pipeline.Stages.SelectMany(s => s.StderrLineHandlers).ToImmutableArray();
        var stderrTees = _pipeline.Stages.SelectMany(s => s.StderrTees).Distinct().ToImmutableArray();
        var stderrPump = PumpAsync(_tree.Stderr, _stderrCapture, stderrTees, OutputStreams.Stderr,
            streaming || !stderrHandlers.IsEmpty ? new LineSplitter(last.Encoding) : null, stderrHandlers, _stderrLines);
        var pumps = Task.WhenAll(stdoutPump, stderrPump);

        try
        {
            await _allStagesExited.ConfigureAwait(false);

            // Bounded drain: a descendant may still hold our pipes after the program itself exited.
            if (!pumps.IsCompleted && _pipeline.DrainTimeout > TimeSpan.Zero)
            {
                await Task.WhenAny(pumps, Task.Delay(_pipeline.DrainTimeout, _time)).ConfigureAwait(false);
            }
        }
        finally
        {
            await StopTimersAsync().ConfigureAwait(false);
            await _stopping.ConfigureAwait(false);
            await _tree.TeardownAsync().ConfigureAwait(false);
        }

        if (!pumps.IsCompleted)
        {
            // The tree is gone; whatever still holds the pipes is outside our containment (a setsid escapee in
            // process-group mode). Give the kernel a moment to close them, then stop reading.
            await Task.WhenAny(pumps, Task.Delay(TimeSpan.FromMilliseconds(200), TimeProvider.System)).ConfigureAwait(false);
            await _pumpCancellation.CancelAsync().ConfigureAwait(false);
        }

        await pumps.ConfigureAwait(false);
        await _pumpCancellation.CancelAsync().ConfigureAwait(false);

        // Every stage is gone, so nobody reads stdin any more. A source that ignores cancellation (a console stream,
        // a synchronous stream) must not hold the result: give the feed a moment, then leave it behind.
        if (!stdinTask.IsCompleted)
        {
            await Task.WhenAny(stdinTask, Task.Delay(TimeSpan.FromMilliseconds(200), TimeProvider.System)).ConfigureAwait(false);
        }
        foreach (var registration in _registrations)
        {
            await registration.DisposeAsync().ConfigureAwait(false);
        }

        var duration = _time.GetElapsedTime(_startTimestamp);
        var result = BuildResult(duration);
        if (_events is not null)
        {
            await _events.AddAsync(new ProcessEvent.Exited(result.Outcome), CancellationToken.None).ConfigureAwait(false);
        }

        _stdoutLines?.Complete();
        _stderrLines?.Complete();
        _events?.Complete();

        foreach (var token in _cancellationTokens)
        {
            token.ThrowIfCancellationRequested();
        }

        if (_pumpFailure is not null)
        {
            throw _pumpFailure;
        }

        // The overflow decides, not who claimed the stop: a program that writes past the limit and exits at once may
        // be reaped before the pump sees the excess, and its run must fail all the same.
        if (_stdoutCapture.Overflowed || _stderrCapture.Overflowed)
        {
            throw new OutputTooLargeException(Program, _stdoutCapture.Overflowed ? "stdout" : "stderr", _pipeline.Last.OutputLimit.MaxBytes);
        }

        if (_stdinFailure is not null)
        {
            throw new ProcessIOException($"Reading the standard input source for '{Program}' failed: {_stdinFailure.Message}", _stdinFailure);
        }

        return result;
    }

    private ProcessResult<byte[]> BuildResult(TimeSpan duration)
    {
        var stages = ImmutableArray.CreateBuilder<StageResult>(_pipeline.Stages.Length);
        var cpu = TimeSpan.Zero;
        var treePeak = _tree.TreePeakMemory();
        var peak = treePeak;
        long? hostPeak = null;
        var hostPeakRead = false;
        for (var i = 0; i < _pipeline.Stages.Length; i++)
        {
            var status = _tree.StageExits[i].Result;

            // A posix_spawn child shares the host's address space until it execs, and the kernel folds that address
            // space's high-water mark into the child's ru_maxrss. A figure at or below the host's own peak may be the
            // host's, so it is reported as unknown rather than as a wrong number. (The host's peak is read only when
            // needed: it is a /proc read.)
            long? stagePeak = null;
            if (status.PeakMemoryBytes is { } p)
            {
                if (treePeak is null && !hostPeakRead)
                {
                    hostPeak = HostMemory.PeakResidentBytes();
                    hostPeakRead = true;
                }

                stagePeak = hostPeak is null || p > hostPeak ? p : null;
            }

            stages.Add(new StageResult(_pipeline.Stages[i].ToString(), _tree.Pids[i], status.Outcome, status.CpuTime, stagePeak));
            cpu += status.CpuTime;
            if (treePeak is null && stagePeak is { } sp && (peak is null || sp > peak))
            {
                peak = sp;
            }
        }

        var stageResults = stages.MoveToImmutable();
        var blamed = Blame(stageResults);
        Outcome outcome = _stopReason switch
        {
            StopReason.Timeout => new Outcome.TimedOut(TimeoutKind.Overall, _pipeline.Timeout!.Value),
            StopReason.IdleTimeout => new Outcome.TimedOut(TimeoutKind.Idle, _pipeline.IdleTimeout!.Value),
            StopReason.ReportedTimeout => ReportedTimeoutOutcome(),
            _ => blamed is { } b ? stageResults[b].Outcome : stageResults[^1].Outcome,
        };

        return new ProcessResult<byte[]>
        {
            Program = Program,
            Stdout = _stdoutCapture.ToArray(),
            Stderr = _stderrCapture.ToArray(),
            Outcome = outcome,
            OkExitCodes = blamed is { } bi ? _pipeline.Stages[bi].OkExitCodes : _pipeline.Last.OkExitCodes,
            Duration = duration,
            Timeout = _pipeline.Timeout,
            StdoutTruncated = _stdoutCapture.Truncated,
            StderrTruncated = _stderrCapture.Truncated,
            CpuTime = _tree.TreeCpuTime() ?? cpu,
            PeakMemoryBytes = peak,
            Mechanism = _tree.Mechanism,
            Pid = Pid,
            Stages = stageResults,
            BlamedStage = outcome is Outcome.TimedOut ? null : blamed,
        };
    }

    /// <summary>
    /// The deadline a reported timeout carries: the command's overall timeout, else its idle timeout, else zero (a
    /// scripted timeout on a command that sets none).
    /// </summary>
    private Outcome.TimedOut ReportedTimeoutOutcome() => _pipeline.Timeout is { } overall
        ? new Outcome.TimedOut(TimeoutKind.Overall, overall)
        : _pipeline.IdleTimeout is { } idle ? new Outcome.TimedOut(TimeoutKind.Idle, idle) : new Outcome.TimedOut(TimeoutKind.Overall, TimeSpan.Zero);

    /// <summary>
    /// pipefail with honest blame: the first stage that failed, skipping earlier stages that died of SIGPIPE (or
    /// exited 141, a shell's report of it) because a later stage stopped reading.
    /// </summary>
    private int? Blame(ImmutableArray<StageResult> stages)
    {
        for (var i = 0; i < stages.Length; i++)
        {
            var outcome = stages[i].Outcome;
            if (outcome.IsSuccess(_pipeline.Stages[i].OkExitCodes))
            {
                continue;
            }

            var isLast = i == stages.Length - 1;
            var sigpipeVictim = !isLast && outcome is Outcome.Signalled { Signal.Number: 13 } or Outcome.Exited { Code: 141 };
            if (!sigpipeVictim)
            {
                return i;
            }
        }

        return null;
    }

    private void RequestStop(StopReason reason, TimeSpan? grace)
    {
        lock (_stopLock)
        {
            if (_stopReason != StopReason.None)
            {
                // Already stopping; a later disposal or cancellation must not wait out the whole grace period.
                if (reason is StopReason.Disposed && !_allStagesExited.IsCompleted)
                {
                    TryKill();
                }

                return;
            }

            if (_allStagesExited.IsCompleted && reason is not (StopReason.Cancelled or StopReason.Disposed))
            {
                return; // too late: the program already ended by itself
            }

            _stopReason = reason;
            var immediate = reason is StopReason.OutputOverflow or StopReason.PumpFailed or StopReason.Disposed;
            _stopping = StopTreeAsync(immediate ? TimeSpan.Zero : grace ?? _pipeline.Grace);
        }
    }

    private async Task StopTreeAsync(TimeSpan grace)
    {
        await Task.Yield();
        if (_allStagesExited.IsCompleted)
        {
            return;
        }

        try
        {
            if (grace > TimeSpan.Zero)
            {
                _tree.Signal(_pipeline.StopSignal);
                if (_suspended)
                {
                    _tree.Resume();
                }

                await Task.WhenAny(_allStagesExited, Task.Delay(grace, _time)).ConfigureAwait(false);
            }
        }
        finally
        {
            if (!_allStagesExited.IsCompleted)
            {
                TryKill();
            }
        }
    }

    private void TryKill()
    {
        try
        {
            _tree.Kill();
        }
        catch (ProcessIOException)
        {
            // Teardown retries and reports; a failed kill here must not fault the arbiter.
        }
    }

    private async Task StopTimersAsync()
    {
        if (_timeoutTimer is not null)
        {
            await _timeoutTimer.DisposeAsync().ConfigureAwait(false);
        }

        if (_idleTimer is not null)
        {
            await _idleTimer.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task FeedStdinAsync()
    {
        var stdin = _tree.Stdin;
        var input = _pipeline.First.Stdin;
        if (stdin is null || input.KeepsOpen)
        {
            if (stdin is not null)
            {
                // Interactive: the owner writes; close it when the run ends so nothing leaks.
                try
                {
                    await _allStagesExited.ConfigureAwait(false);
                }
                finally
                {
                    await stdin.DisposeAsync().ConfigureAwait(false);
                }
            }

            return;
        }

        await Task.Yield();
        try
        {
            await input.WriteToAsync(stdin, _pipeline.First.Encoding, _pumpCancellation.Token).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The program stopped reading its stdin (it exited, or closed it): that is its right, not an error.
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex)
        {
            _stdinFailure = ex;
        }
        finally
        {
            try
            {
                await stdin.DisposeAsync().ConfigureAwait(false);
            }
            catch (IOException)
            {
                // Flushing into a pipe nobody reads.
            }
        }
    }

    private async Task PumpAsync(Stream stream, OutputCapture capture, ImmutableArray<Stream> tees, OutputStreams which, LineSplitter? splitter, ImmutableArray<Action<string>> handlers, LineQueue<string>? queue)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ReadBufferSize);
        var lines = splitter is null ? null : new List<string>();
        var liveTees = tees.ToList();
        try
        {
            while (true)
            {
                int read;
                try
                {
                    read = await stream.ReadAsync(buffer.AsMemory(0, ReadBufferSize), _pumpCancellation.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                if (read == 0)
                {
                    break;
                }

                _idleTimer?.Change(_pipeline.IdleTimeout!.Value, Timeout.InfiniteTimeSpan);
                var chunk = buffer.AsMemory(0, read);
                for (var i = liveTees.Count - 1; i >= 0; i--)
                {
                    try
                    {
                        await liveTees[i].WriteAsync(chunk, _pumpCancellation.Token).ConfigureAwait(false);
                        await liveTees[i].FlushAsync(_pumpCancellation.Token).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is IOException or ObjectDisposedException or NotSupportedException or OperationCanceledException)
                    {
                        liveTees.RemoveAt(i); // a broken tee stops receiving; the run and the capture go on
                    }
                }

                capture.Append(chunk.Span);
                if (capture.Overflowed)
                {
                    RequestStop(StopReason.OutputOverflow, null);
                }

                if (splitter is not null)
                {
                    splitter.Feed(chunk.Span, lines!.Add);
                    await DispatchLinesAsync(lines!, which, handlers, queue).ConfigureAwait(false);
                }
            }

            if (splitter is not null)
            {
                splitter.Finish(lines!.Add);
                await DispatchLinesAsync(lines!, which, handlers, queue).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _pumpFailure ??= ex is IOException io ? new ProcessIOException($"Reading {(which == OutputStreams.Stdout ? "stdout" : "stderr")} of '{Program}' failed: {io.Message}", io) : ex;
            RequestStop(StopReason.PumpFailed, null);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async ValueTask DispatchLinesAsync(List<string> lines, OutputStreams which, ImmutableArray<Action<string>> handlers, LineQueue<string>? queue)
    {
        foreach (var line in lines)
        {
            foreach (var handler in handlers)
            {
                handler(line);
            }

            if (queue is not null)
            {
                await queue.AddAsync(line, _pumpCancellation.Token).ConfigureAwait(false);
            }

            if (_events is not null)
            {
                ProcessEvent e = which == OutputStreams.Stdout ? new ProcessEvent.StdoutLine(line) : new ProcessEvent.StderrLine(line);
                await _events.AddAsync(e, _pumpCancellation.Token).ConfigureAwait(false);
            }

            if (_recentLines is not null)
            {
                lock (_linesLock)
                {
                    _recentLines.Enqueue((which, line));
                    if (_recentLines.Count > RecentLinesCapacity)
                    {
                        _recentLines.Dequeue();
                    }

                    foreach (var waiter in _waiters)
                    {
                        waiter.Offer(which, line);
                    }
                }
            }
        }

        lines.Clear();
    }

    private Stream InteractiveStdin()
    {
        if (!_pipeline.First.Stdin.KeepsOpen || _tree.Stdin is null)
        {
            throw new InvalidOperationException(
                "This process's stdin is not interactive; start the command with .WithStdin(StandardInput.Interactive) to write to it.");
        }

        return _tree.Stdin;
    }

    private static InvalidOperationException NotStreaming() =>
        new("Line streams are available only on a process started with StartAsync.");

    private sealed class LineWaiter(Func<string, bool> predicate, OutputStreams streams)
    {
        public TaskCompletionSource<string> Found { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Offer(OutputStreams which, string line)
        {
            if ((which & streams) == 0 || Found.Task.IsCompleted)
            {
                return;
            }

            try
            {
                if (predicate(line))
                {
                    Found.TrySetResult(line);
                }
            }
            catch (Exception ex)
            {
                Found.TrySetException(ex);
            }
        }
    }
}
