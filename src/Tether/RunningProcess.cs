using System.Diagnostics;
using Tether.Input;
using Tether.Internal;
using Tether.Output;
using Tether.Telemetry;

namespace Tether;

/// <summary>
/// A live run: one program, or a pipeline, started by <see cref="IProcessRunner.StartAsync"/>, with its whole
/// process tree contained. Read its output as lines or events, wait for readiness, write to its stdin, signal, suspend
/// or stop the tree, and wait for the result. Disposing it kills the tree.
/// </summary>
/// <remarks>
/// One arbiter decides how the run ends: the first of exit, timeout, idle timeout, cancellation, output overflow,
/// <see cref="StopAsync"/> or disposal claims the reason, and cancellation always wins when the result is reported.
/// Output is read from the start whether or not anyone listens: the last 4096 lines of each stream are kept until
/// <see cref="StdoutLines"/>, <see cref="StderrLines"/> or <see cref="Events"/> is taken, and a stream taken late
/// starts with them. Lines are queued only for the streams that were taken; while a stream is being read, a full
/// queue holds the pump back (backpressure) until the reader catches up or stops reading. Every wait and timer of
/// the run uses the runner's <see cref="TimeProvider"/>.
/// </remarks>
public sealed partial class RunningProcess : IAsyncDisposable
{
    internal const int LineBufferCapacity = 4096;

    private readonly Pipeline _pipeline;
    private readonly ProcessTree _tree;
    private readonly TimeProvider _time;
    private readonly long _startTimestamp;
    private readonly OutputCapture _stdoutCapture;
    private readonly OutputCapture _stderrCapture;
    private readonly LineRouter? _lines;
    private readonly RunArbiter _arbiter;
    private readonly StdinFeeder _stdin;
    private readonly CancellationTokenSource _pumpCancellation = new();
    private readonly CancellationToken[] _cancellationTokens;
    private readonly Task<ProcessResult<byte[]>> _completion;
    private readonly Task _allStagesExited;
    private ProcessResult<string>? _stringResult;
    private int _disposed;

    internal RunningProcess(Pipeline pipeline, ProcessTree tree, TimeProvider time, long startTimestamp, bool streaming, CancellationToken extraCancellation, Activity? activity = null)
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
            _lines = new LineRouter(LineBufferCapacity, new ProcessEvent.Started(Pid, Mechanism));
        }

        _cancellationTokens = [.. pipeline.AllCancellationTokens(), .. extraCancellation.CanBeCanceled ? [extraCancellation] : Array.Empty<CancellationToken>()];
        _allStagesExited = Task.WhenAll(tree.StageExits);
        _arbiter = new RunArbiter(pipeline, tree, time, _allStagesExited);
        _stdin = new StdinFeeder(tree.Stdin, pipeline.First.Stdin, pipeline.First.Encoding, pipeline);
        _completion = RunTelemetry.Observed ? ObserveAsync(RunToEndAsync(streaming), activity) : RunToEndAsync(streaming);
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
        (_lines ?? throw NotStreaming()).TakeStdout(cancellationToken);

    /// <summary>The stderr lines as they arrive; can be taken once, like <see cref="StdoutLines"/>.</summary>
    public IAsyncEnumerable<string> StderrLines(CancellationToken cancellationToken = default) =>
        (_lines ?? throw NotStreaming()).TakeStderr(cancellationToken);

    /// <summary>
    /// Everything that happens, in order: <see cref="ProcessEvent.Started"/>, output lines of both streams as they
    /// arrive, and <see cref="ProcessEvent.Exited"/> last. Can be taken once.
    /// </summary>
    public IAsyncEnumerable<ProcessEvent> Events(CancellationToken cancellationToken = default) =>
        (_lines ?? throw NotStreaming()).TakeEvents(cancellationToken);

    /// <summary>
    /// Lines the readers of <see cref="StdoutLines"/> and <see cref="StderrLines"/> did not get because a buffer was
    /// full: the sum of <see cref="DroppedStdoutLines"/> and <see cref="DroppedStderrLines"/>. Zero for streams nobody took.
    /// </summary>
    public long DroppedLines => DroppedStdoutLines + DroppedStderrLines;

    /// <summary>
    /// Stdout lines that the <see cref="StdoutLines"/> reader did not get because a buffer was full: lines that had
    /// left the 4096-line backlog before the stream was taken. A reader that keeps reading loses none (the program
    /// waits instead); lines after a reader stopped early are not counted. Zero while the stream is not taken.
    /// </summary>
    public long DroppedStdoutLines => _lines?.DroppedStdoutLines ?? 0;

    /// <summary>Stderr lines that the <see cref="StderrLines"/> reader did not get; counted like <see cref="DroppedStdoutLines"/>.</summary>
    public long DroppedStderrLines => _lines?.DroppedStderrLines ?? 0;

    /// <summary>
    /// Events that the <see cref="Events"/> reader did not get because a buffer was full: lines that had left the
    /// backlog before the events were taken, and the oldest events past the 4096-event queue when they were taken
    /// late. Zero while the events are not taken.
    /// </summary>
    public long DroppedEvents => _lines?.DroppedEvents ?? 0;

    /// <summary>
    /// Waits until a line matching <paramref name="predicate"/> appears (including one of the last 1024 lines already
    /// seen) and returns it.
    /// </summary>
    /// <exception cref="NotReadyException">No such line within <paramref name="timeout"/>, or the run ended first. The process is not stopped.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative or longer than <see cref="Durations.LongestWait"/>.</exception>
    public async Task<string> WaitForLineAsync(Func<string, bool> predicate, TimeSpan timeout, OutputStreams streams = OutputStreams.Both, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(timeout, Durations.LongestWait);
        if (_lines is null)
        {
            throw NotStreaming();
        }

        var waiter = new LineWaiter(predicate, streams);
        if (_lines.FindOrWait(waiter, streams) is { } seen)
        {
            return seen;
        }

        if (waiter.Found.Task.IsFaulted)
        {
            _lines.Forget(waiter);
            return await waiter.Found.Task.ConfigureAwait(false);
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
            _lines.Forget(waiter);
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
    public ValueTask WriteStdinAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default) =>
        _stdin.WriteAsync(bytes, cancellationToken);

    /// <summary>Writes text (encoded with the command's encoding) to stdin. Requires <see cref="StandardInput.Interactive"/>.</summary>
    public ValueTask WriteStdinAsync(string text, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        return WriteStdinAsync(_pipeline.First.Encoding.GetBytes(text), cancellationToken);
    }

    /// <summary>Writes a line followed by <c>\n</c> to stdin. Requires <see cref="StandardInput.Interactive"/>.</summary>
    public ValueTask WriteStdinLineAsync(string line, CancellationToken cancellationToken = default) => WriteStdinAsync(line + "\n", cancellationToken);

    /// <summary>Closes stdin so the process reads end-of-file. Closing twice is harmless.</summary>
    public ValueTask CloseStdinAsync() => _stdin.CloseAsync();

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
            _arbiter.Suspended = true;
        }

        return Task.CompletedTask;
    }

    /// <summary>Resumes a suspended tree.</summary>
    public Task ResumeAsync()
    {
        if (!HasExited)
        {
            _tree.Resume();
            _arbiter.Suspended = false;
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Stops the tree: the stop signal to every process, up to <paramref name="grace"/> (default: the command's) for
    /// them to exit, then SIGKILL to what is left. Returns the result, whose outcome is how the program really ended.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="grace"/> is negative or longer than <see cref="Durations.LongestWait"/>.</exception>
    public Task<ProcessResult<string>> StopAsync(TimeSpan? grace = null, CancellationToken cancellationToken = default)
    {
        if (grace is { } given && (given < TimeSpan.Zero || given > Durations.LongestWait))
        {
            throw new ArgumentOutOfRangeException(nameof(grace), given, $"A grace period is from 0 to {Durations.Format(Durations.LongestWait)} (about 49.7 days, the longest a timer can wait).");
        }

        _arbiter.Request(StopReason.Stopped, grace ?? _pipeline.Grace);
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

        _arbiter.Request(StopReason.Disposed, TimeSpan.Zero);
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
    internal void ReportTimedOut() => _arbiter.Request(StopReason.ReportedTimeout);

    private static InvalidOperationException NotStreaming() =>
        new("Line streams are available only on a process started with StartAsync.");
}
