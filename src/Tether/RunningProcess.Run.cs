using System.Collections.Immutable;
using Tether.Internal;
using Tether.Output;

namespace Tether;

/// <summary>The run from start to result: arming the arbiter, feeding stdin, pumping output, draining and teardown.</summary>
public sealed partial class RunningProcess
{
    /// <summary>
    /// How long, after the tree is torn down, output pipes still held outside the containment and a stdin source that
    /// ignores cancellation may take before the run leaves them behind.
    /// </summary>
    private static readonly TimeSpan LeftBehindWait = TimeSpan.FromMilliseconds(200);

    private async Task<ProcessResult<byte[]>> RunToEndAsync(bool streaming)
    {
        // Runs synchronously up to the first read that has to wait: no extra thread-pool hop per run (busy pool
        // threads measurably slow down the next posix_spawn, which shares the address space while it execs).
        _arbiter.Arm(_cancellationTokens);

        var last = _pipeline.Last;
        var stdinTask = _stdin.FeedAsync(_allStagesExited, _pumpCancellation.Token);
        var stderrHandlers = _pipeline.Stages.SelectMany(s => s.StderrLineHandlers).ToImmutableArray();
        var stderrTees = _pipeline.Stages.SelectMany(s => s.StderrTees).Distinct().ToImmutableArray();
        var stderrPump = new OutputPump(_tree.Stderr, OutputStreams.Stderr, _stderrCapture, stderrTees,
            Splitter(OutputStreams.Stderr, streaming, stderrHandlers), stderrHandlers, _lines, _arbiter, _pipeline);
        var pumps = Task.WhenAll(StdoutPump(streaming).Invoke(_pumpCancellation.Token), stderrPump.RunAsync(_pumpCancellation.Token));

        try
        {
            await _allStagesExited.ConfigureAwait(false);

            // Bounded drain: a descendant may still hold our pipes after the program itself exited.
            if (!pumps.IsCompleted && _pipeline.DrainTimeout > TimeSpan.Zero)
            {
                // WaitAsync stops its timer as soon as the pumps finish, so a run leaves no timer behind to fire later.
                await pumps.WaitAsync(_pipeline.DrainTimeout, _time).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
        finally
        {
            await _arbiter.DisarmTimersAsync().ConfigureAwait(false);
            await _arbiter.Stopping.ConfigureAwait(false);
            await _tree.TeardownAsync().ConfigureAwait(false);
        }

        if (!pumps.IsCompleted)
        {
            // The tree is gone; whatever still holds the pipes is outside our containment (a setsid escapee in
            // process-group mode). Give the kernel a moment to close them, then stop reading.
            await pumps.WaitAsync(LeftBehindWait, _time).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await _pumpCancellation.CancelAsync().ConfigureAwait(false);
        }

        await pumps.ConfigureAwait(false);
        await _pumpCancellation.CancelAsync().ConfigureAwait(false);

        // Every stage is gone, so nobody reads stdin any more. A source that ignores cancellation (a console stream,
        // a synchronous stream) must not hold the result: give the feed a moment, then leave it behind.
        if (!stdinTask.IsCompleted)
        {
            await stdinTask.WaitAsync(LeftBehindWait, _time).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await _arbiter.DisarmCancellationAsync().ConfigureAwait(false);

        var duration = _time.GetElapsedTime(_startTimestamp);
        var result = BuildResult(duration);
        if (_lines is not null)
        {
            await _lines.CompleteAsync(new ProcessEvent.Exited(result.Outcome)).ConfigureAwait(false);
        }

        foreach (var token in _cancellationTokens)
        {
            token.ThrowIfCancellationRequested();
        }

        if (_arbiter.PumpFailure is { } pumpFailure)
        {
            throw pumpFailure;
        }

        // The overflow decides, not who claimed the stop: a program that writes past the limit and exits at once may
        // be reaped before the pump sees the excess, and its run must fail all the same.
        if (_stdoutCapture.Overflowed || _stderrCapture.Overflowed)
        {
            throw new OutputTooLargeException(Program, _stdoutCapture.Overflowed ? "stdout" : "stderr", _pipeline.Last.OutputLimit.MaxBytes);
        }

        if (_stdin.SourceFailure is { } stdinFailure)
        {
            throw new ProcessIOException($"Reading the standard input source for '{Program}' failed: {stdinFailure.Message}", stdinFailure);
        }

        return result;
    }

    /// <summary>
    /// What reads the last stage's stdout: the forwarder when the command forwards it and the tree gave it a pipe (a
    /// tree without one, such as a scripted run, has it copied from its stream),
    /// else the pump.
    /// </summary>
    private Func<CancellationToken, Task> StdoutPump(bool streaming)
    {
        var last = _pipeline.Last;
        if (last.StdoutForwardedTo is { } destination)
        {
            return _tree.Stdout is FileStream pipe
                ? new StdoutForwarder(pipe, destination, _arbiter, _pipeline).RunAsync
                : cancellation => StdoutForwarder.CopyStreamAsync(_tree.Stdout, destination, _arbiter, _pipeline, cancellation);
        }

        return new OutputPump(_tree.Stdout, OutputStreams.Stdout, _stdoutCapture, last.StdoutTees,
            Splitter(OutputStreams.Stdout, streaming, last.StdoutLineHandlers), last.StdoutLineHandlers, _lines, _arbiter, _pipeline).RunAsync;
    }

    /// <summary>
    /// The splitter of one stream's pump: none when nobody can want lines; for a streaming run without line
    /// handlers, one the router uses only once someone asks for the lines (until then the stream is not split).
    /// </summary>
    private LineSplitter? Splitter(OutputStreams which, bool streaming, ImmutableArray<Action<string>> handlers)
    {
        if (!streaming && handlers.IsEmpty)
        {
            return null;
        }

        var encoding = _pipeline.Last.Encoding;
        var splitter = new LineSplitter(encoding);
        if (_lines is not null && handlers.IsEmpty && LineBreakIsOneByte(encoding))
        {
            _lines.SplitLazily(which, splitter);
        }

        return splitter;
    }

    /// <summary>True for encodings in which byte 0x0A is always a line break and never part of another character.</summary>
    private static bool LineBreakIsOneByte(System.Text.Encoding encoding) =>
        encoding is System.Text.UTF8Encoding || encoding.CodePage is 20127 or 28591;
}
