using System.Collections.Immutable;

namespace Tether.Testing.Cassettes;

/// <summary>
/// Runs calls the cassette does not answer through the real runner and captures each result into an entry: output
/// redacted (the rules, and every argument marked secret should the program print it), a timeout stored without its
/// deadline, entries kept in call-start order whatever order they end in.
/// </summary>
/// <remarks>
/// Thread-safe. A started process is captured when it ends; <see cref="WaitForPendingAsync"/> waits for those. No user
/// code (the inner runner, line handlers, redaction) runs while the lock is held.
/// </remarks>
internal sealed class CassetteRecorder(IProcessRunner inner, RedactionPolicy redaction, CassetteSavePolicy policy)
{
    private readonly Lock _lock = new();
    private readonly SortedDictionary<long, CassetteEntry> _recorded = [];
    private readonly HashSet<Task> _pending = [];
    private long _sequence;

    /// <summary>The entries recorded so far, in call-start order.</summary>
    public ImmutableArray<CassetteEntry> Recorded
    {
        get
        {
            lock (_lock)
            {
                return [.. _recorded.Values];
            }
        }
    }

    /// <summary>How many entries were recorded (and not cleared).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _recorded.Count;
            }
        }
    }

    /// <summary>The call <paramref name="command"/> makes, numbered after every call prepared before it.</summary>
    /// <exception cref="NotSupportedException">The command's stdin is one-shot or interactive.</exception>
    public CassetteCall Prepare(Command command) => CassetteCall.Of(command, redaction, Interlocked.Increment(ref _sequence));

    /// <summary>Runs <paramref name="pipeline"/> for real and records its result; the output is decoded as the command says.</summary>
    /// <exception cref="NotSupportedException">The output was cut to its limit: a cassette would replay it as complete.</exception>
    public async Task<ProcessResult<string>> OutputStringAsync(CassetteCall call, Pipeline pipeline, CancellationToken cancellationToken)
    {
        ProcessResult<byte[]> bytes;
        try
        {
            // Bytes, not text: decoding first would replace what is not valid text, and the replay would differ.
            bytes = await inner.OutputBytesAsync(pipeline, cancellationToken).ConfigureAwait(false);
        }
        catch (NotSupportedException)
        {
            // A runner that keeps only text (another cassette, a test double) refuses the bytes verb before running
            // anything; its text is all there is to record.
            var text = await inner.OutputStringAsync(pipeline, cancellationToken).ConfigureAwait(false);
            if (text.Truncated)
            {
                throw Truncated(call);
            }

            Store(call, (Cassette.Lossy(RedactOutput(call.Invocation.Command, text.Stdout)), null), (Cassette.Lossy(RedactOutput(call.Invocation.Command, text.Stderr)), null), text.Outcome);
            return text;
        }

        if (bytes.Truncated)
        {
            throw Truncated(call);
        }

        Capture(call, bytes);
        return bytes.WithOutput(pipeline.Last.Encoding.GetString);
    }

    /// <summary>Runs <paramref name="pipeline"/> for real and records its result, bytes that are not text included.</summary>
    /// <exception cref="NotSupportedException">The output was cut to its limit: a cassette would replay it as complete.</exception>
    public async Task<ProcessResult<byte[]>> OutputBytesAsync(CassetteCall call, Pipeline pipeline, CancellationToken cancellationToken)
    {
        var result = await inner.OutputBytesAsync(pipeline, cancellationToken).ConfigureAwait(false);
        if (result.Truncated)
        {
            throw Truncated(call);
        }

        Capture(call, result);
        return result;
    }

    /// <summary>Starts <paramref name="pipeline"/> for real; its result is recorded when it ends.</summary>
    public async Task<RunningProcess> StartAsync(CassetteCall call, Pipeline pipeline, CancellationToken cancellationToken)
    {
        var process = await inner.StartAsync(pipeline, cancellationToken).ConfigureAwait(false);
        var capture = CaptureWhenEndedAsync(call, process);
        lock (_lock)
        {
            if (!capture.IsCompleted)
            {
                _pending.Add(capture);
            }
        }

        return process;
    }

    /// <summary>Forgets every entry recorded so far.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _recorded.Clear();
        }
    }

    /// <summary>Waits until every started process being recorded has ended and been captured.</summary>
    public async Task WaitForPendingAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task[] pending;
            lock (_lock)
            {
                _pending.RemoveWhere(t => t.IsCompleted);
                pending = [.. _pending];
            }

            if (pending.Length == 0)
            {
                return;
            }

            await Task.WhenAll(pending).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A result cut by its output limit: a cassette has no field for that, so it would replay as complete.</summary>
    private static NotSupportedException Truncated(CassetteCall call) =>
        new($"The output of {call.Invocation} was cut to its output limit, and a cassette would replay it as if complete, so it was not recorded. Raise the limit (Command.WithOutputLimit) for the recording.");

    private async Task CaptureWhenEndedAsync(CassetteCall call, RunningProcess process)
    {
        try
        {
            var result = await process.WaitBytesAsync().ConfigureAwait(false);
            if (result.Truncated)
            {
                // Nobody awaits this capture to be told; keep the incomplete recording from being flushed instead.
                policy.MarkFailed(Truncated(call).Message);
                return;
            }

            Capture(call, result);
        }
        catch (Exception)
        {
            // Cancelled, overflowed or failed: not a result, so nothing is recorded (as a spawn failure records nothing).
            // The owner of the process observes the error through its own wait.
        }
    }

    private void Capture(CassetteCall call, ProcessResult<byte[]> result) =>
        Store(call, Output(call.Invocation.Command, result.Stdout), Output(call.Invocation.Command, result.Stderr), result.Outcome);

    private void Store(CassetteCall call, (string Text, ReadOnlyMemory<byte>? Bytes) stdout, (string Text, ReadOnlyMemory<byte>? Bytes) stderr, Outcome outcome)
    {
        var entry = call.Entry with
        {
            Stdout = stdout.Text,
            StdoutBytes = stdout.Bytes,
            Stderr = stderr.Text,
            StderrBytes = stderr.Bytes,
            Outcome = outcome is Outcome.TimedOut ? new Outcome.TimedOut(TimeoutKind.Overall, TimeSpan.Zero) : outcome,
        };
        lock (_lock)
        {
            if (!policy.KeepsRecordings)
            {
                return;
            }

            _recorded[call.Sequence] = entry;
            policy.Recorded();
        }
    }

    /// <summary>
    /// The text a cassette stores for <paramref name="bytes"/> (decoded as the command says, redacted), and the bytes
    /// themselves when that text would not give them back: output that is not valid text, which the text holds with
    /// replacement characters. When redaction changed the text, only the text is kept — a secret may run on into the
    /// bytes that are not text, and the bytes would hold it.
    /// </summary>
    private (string Text, ReadOnlyMemory<byte>? Bytes) Output(Command command, byte[] bytes)
    {
        var decoded = command.Encoding.GetString(bytes);
        var redacted = RedactOutput(command, decoded);
        var text = Cassette.Lossy(redacted);
        var exact = string.Equals(redacted, decoded, StringComparison.Ordinal)
            && !command.Encoding.GetBytes(text).AsSpan().SequenceEqual(bytes);
        return (text, exact ? bytes : (ReadOnlyMemory<byte>?)null);
    }

    /// <summary>Output with the policy applied: its rules, and every argument value it masked in the command, should the program echo it.</summary>
    private string RedactOutput(Command command, string text) => redaction.For(command).Output(text);
}
