using System.Buffers;
using System.Collections.Immutable;
using Tether.Internal;

namespace Tether.Output;

/// <summary>
/// Reads one output stream of a run (stdout of the last stage, or the shared stderr) to its end: every chunk goes to
/// the tees and the capture, and, when someone wants lines, through the splitter to the line handlers and the
/// <see cref="LineRouter"/>. It reports to the <see cref="RunArbiter"/> that output arrived (the idle timeout starts
/// over), that the capture overflowed, or that reading failed; it never decides how the run ends itself.
/// </summary>
internal sealed class OutputPump
{
    private const int ReadBufferSize = 64 * 1024;
    private readonly Stream _stream;
    private readonly OutputStreams _which;
    private readonly OutputCapture _capture;
    private readonly ImmutableArray<Stream> _tees;
    private readonly LineSplitter? _splitter;
    private readonly ImmutableArray<Action<string>> _handlers;
    private readonly LineRouter? _router;
    private readonly RunArbiter _arbiter;
    private readonly Pipeline _pipeline;

    /// <param name="stream">The read end of the pipe; disposed when the pump ends.</param>
    /// <param name="which">Which stream this is, for lines and messages.</param>
    /// <param name="capture">Where the bytes are kept for the result.</param>
    /// <param name="tees">Streams that get a copy of every chunk; one that fails is dropped, the run goes on.</param>
    /// <param name="splitter">Splits the bytes into lines; null when nobody wants lines.</param>
    /// <param name="handlers">Called with every line, in order, on the pump.</param>
    /// <param name="router">Hands lines to the taken streams; null when the run does not stream.</param>
    /// <param name="arbiter">Hears about output, overflow and failure.</param>
    /// <param name="pipeline">The run's pipeline, whose command line (secrets redacted) names it in a failure message;
    /// described only then, since redacting costs the policy's patterns.</param>
    public OutputPump(Stream stream, OutputStreams which, OutputCapture capture, ImmutableArray<Stream> tees, LineSplitter? splitter,
        ImmutableArray<Action<string>> handlers, LineRouter? router, RunArbiter arbiter, Pipeline pipeline)
    {
        _stream = stream;
        _which = which;
        _capture = capture;
        _tees = tees;
        _splitter = splitter;
        _handlers = handlers;
        _router = router;
        _arbiter = arbiter;
        _pipeline = pipeline;
    }

    /// <summary>Pumps until end-of-file or until <paramref name="cancellationToken"/> gives up on the stream.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ReadBufferSize);
        var lines = _splitter is null ? null : new List<string>();
        var liveTees = _tees.ToList();
        try
        {
            while (true)
            {
                // Without lines, bytes that will all be kept are read straight into the capture: no copy of ours.
                var target = _splitter is null ? _capture.ReadTarget(ReadBufferSize) : Memory<byte>.Empty;
                int read;
                try
                {
                    read = await _stream.ReadAsync(target.IsEmpty ? buffer.AsMemory(0, ReadBufferSize) : target, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                if (read == 0)
                {
                    break;
                }

                _arbiter.OutputArrived();
                var chunk = target.IsEmpty ? buffer.AsMemory(0, read) : target[..read];
                for (var i = liveTees.Count - 1; i >= 0; i--)
                {
                    try
                    {
                        await liveTees[i].WriteAsync(chunk, cancellationToken).ConfigureAwait(false);
                        await liveTees[i].FlushAsync(cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is IOException or ObjectDisposedException or NotSupportedException or OperationCanceledException)
                    {
                        liveTees.RemoveAt(i); // a broken tee stops receiving; the run and the capture go on
                    }
                }

                if (target.IsEmpty)
                {
                    _capture.Append(chunk.Span);
                }
                else
                {
                    _capture.Commit(read);
                }

                if (_capture.Overflowed)
                {
                    _arbiter.Request(StopReason.OutputOverflow);
                }

                // Nobody wants the lines yet: the router keeps the bytes (maybe the buffer itself) instead of strings.
                if (_splitter is not null && (_router is null || !_router.KeepUnsplit(_which, ref buffer, read)))
                {
                    _splitter.Feed(chunk.Span, lines!.Add);
                    await DispatchAsync(lines!, cancellationToken).ConfigureAwait(false);
                }
            }

            if (_splitter is not null && (_router is null || !_router.EndUnsplit(_which)))
            {
                _splitter.Finish(lines!.Add);
                await DispatchAsync(lines!, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var name = _which == OutputStreams.Stdout ? "stdout" : "stderr";
            _arbiter.PumpFailed(ex is IOException io ? new ProcessIOException($"Reading {name} of '{_pipeline}' failed: {io.Message}", io) : ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async ValueTask DispatchAsync(List<string> lines, CancellationToken cancellationToken)
    {
        foreach (var line in lines)
        {
            foreach (var handler in _handlers)
            {
                handler(line);
            }
        }

        // The lines of one read go to the router as one batch: one lock and one hand-over per read, not per line.
        if (_router is not null)
        {
            await _router.AddLinesAsync(_which, lines, cancellationToken).ConfigureAwait(false);
        }

        lines.Clear();
    }
}
