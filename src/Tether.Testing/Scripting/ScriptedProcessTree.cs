using System.Buffers;
using System.IO.Pipelines;
using Tether.Internal;

namespace Tether.Testing.Scripting;

/// <summary>
/// A process tree with no process in it: it plays a <see cref="Reply"/> into in-memory pipes that the real
/// <see cref="RunningProcess"/> pumps read, and reports the reply's ending as the stages' exits. Signals follow the
/// default dispositions of a real program (most kill it, SIGSTOP and friends suspend it, SIGCHLD/SIGCONT/SIGURG/SIGWINCH
/// are ignored), so timeouts, stops, cancellation and disposal behave as they do with a live child.
/// </summary>
internal sealed class ScriptedProcessTree : ProcessTree
{
    /// <summary>
    /// Scripted pids start above the kernel's largest possible pid (<c>PID_MAX_LIMIT</c>, 2^22), so a scripted pid
    /// never names a real process, even if a test passes it to <c>kill</c>.
    /// </summary>
    private const int FirstPid = (1 << 22) + 1;
    private static int s_nextPid = FirstPid;

    private readonly Reply _reply;
    private readonly Pipeline _pipeline;
    private readonly TimeProvider _time;
    private readonly Pipe _stdout = new();
    private readonly Pipe _stderr = new();
    private readonly int[] _pids;
    private readonly TaskCompletionSource<ExitStatus>[] _exits;
    private readonly CancellationTokenSource _death = new();
    private readonly Lock _lock = new();
    private TaskCompletionSource _running = CompletedGate();
    private Task _playing = Task.CompletedTask;
    private Signal? _killedBy;
    private bool _dead;

    public ScriptedProcessTree(Reply reply, Pipeline pipeline, TimeProvider time)
    {
        _reply = reply;
        _pipeline = pipeline;
        _time = time;
        _pids = new int[pipeline.Stages.Length];
        _exits = new TaskCompletionSource<ExitStatus>[pipeline.Stages.Length];
        for (var i = 0; i < _pids.Length; i++)
        {
            _pids[i] = NextPid();
            _exits[i] = new TaskCompletionSource<ExitStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        Stdout = _stdout.Reader.AsStream();
        Stderr = _stderr.Reader.AsStream();
        Stdin = pipeline.First.Stdin.KeepsOpen ? new StdinSink() : null;
        if (CanPlayAtOnce(reply))
        {
            PlayAtOnce();
        }
    }

    public override ContainmentMechanism Mechanism => ContainmentMechanism.None;

    public override IReadOnlyList<int> Pids => _pids;

    public override IReadOnlyList<Task<ExitStatus>> StageExits => [.. _exits.Select(e => e.Task)];

    public override Stream? Stdin { get; }

    public override Stream Stdout { get; }

    public override Stream Stderr { get; }

    /// <summary>Starts playing the reply (unless it was played at once); <paramref name="process"/> is told when the reply times out.</summary>
    public void Play(RunningProcess process)
    {
        if (!_dead)
        {
            _playing = PlayAsync(process);
        }
    }

    public override void Signal(Signal signal)
    {
        switch (signal.Number)
        {
            case 17 or 23 or 28: // SIGCHLD, SIGURG, SIGWINCH: ignored by default
                return;
            case 18: // SIGCONT
                Resume();
                return;
            case 19 or 20 or 21 or 22: // SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU
                Suspend();
                return;
            default:
                Die(signal);
                return;
        }
    }

    public override void Kill() => Die(Tether.Signal.Kill);

    public override void Suspend()
    {
        lock (_lock)
        {
            if (_running.Task.IsCompleted && !_dead)
            {
                _running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    public override void Resume()
    {
        lock (_lock)
        {
            _running.TrySetResult();
        }
    }

    public override TimeSpan? TreeCpuTime() => TimeSpan.Zero;

    public override long? TreePeakMemory() => null;

    public override async ValueTask TeardownAsync()
    {
        Die(Tether.Signal.Kill);
        await _playing.ConfigureAwait(false);
        _death.Dispose();
    }

    internal static int NextPid()
    {
        var pid = Interlocked.Increment(ref s_nextPid);
        if (pid < FirstPid)
        {
            // Wrapped after two billion scripted runs: start over, still above any real pid.
            Interlocked.CompareExchange(ref s_nextPid, FirstPid, pid);
            pid = Interlocked.Increment(ref s_nextPid);
        }

        return pid;
    }

    private static TaskCompletionSource CompletedGate()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        gate.SetResult();
        return gate;
    }

    /// <summary>
    /// A reply without delays that ends by itself and fits in the pipes and the untaken line buffers can be written
    /// whole before the run starts: what a program that already finished leaves behind. Nothing observable changes —
    /// every line still reaches the buffers, handlers and waiters — and the run skips a thread hop per stage.
    /// </summary>
    private static bool CanPlayAtOnce(Reply reply)
    {
        if (reply.End.Kind is not (ReplyEndKind.Exited or ReplyEndKind.Signalled) || reply.Steps.Length > 64)
        {
            return false;
        }

        var chars = 0L;
        var newlines = 0;
        foreach (var step in reply.Steps)
        {
            if (step.DelayBefore > TimeSpan.Zero)
            {
                return false;
            }

            chars += step.Bytes?.Length ?? step.Text!.Length;
            newlines += step.Bytes is { } bytes ? bytes.AsSpan().Count((byte)'\n') : step.Text!.AsSpan().Count('\n');
        }

        // Well under the pipe's pause threshold (64 KiB, even at 3 bytes a char) and the 4096-line buffers.
        return chars <= 16 * 1024 && newlines < 1024;
    }

    private void PlayAtOnce()
    {
        var encoding = _pipeline.Last.Encoding;
        foreach (var step in _reply.Steps)
        {
            var writer = step.Stream == OutputStreams.Stdout ? _stdout.Writer : _stderr.Writer;
            writer.Write(step.Bytes ?? encoding.GetBytes(step.Text!));
        }

        Exit(_reply.End.Kind == ReplyEndKind.Exited ? new Outcome.Exited(_reply.End.Code) : new Outcome.Signalled(_reply.End.Signal));
    }

    private async Task PlayAsync(RunningProcess process)
    {
        // Off the caller's stack: StartAsync returns before the first byte is written, as with a real child.
        await Task.Yield();
        var token = _death.Token;
        try
        {
            var encoding = _pipeline.Last.Encoding;
            foreach (var step in _reply.Steps)
            {
                if (step.DelayBefore > TimeSpan.Zero)
                {
                    await Task.Delay(step.DelayBefore, _time, token).ConfigureAwait(false);
                }

                await WhileSuspendedAsync(token).ConfigureAwait(false);
                var bytes = step.Bytes ?? encoding.GetBytes(step.Text!);
                var writer = step.Stream == OutputStreams.Stdout ? _stdout.Writer : _stderr.Writer;
                var flushed = await writer.WriteAsync(bytes, token).ConfigureAwait(false);
                if (flushed.IsCompleted)
                {
                    // The reader is gone (the run stopped reading); a real program would get EPIPE. Keep going to the end.
                    continue;
                }
            }

            await WhileSuspendedAsync(token).ConfigureAwait(false);
            switch (_reply.End.Kind)
            {
                case ReplyEndKind.Exited:
                    Exit(new Outcome.Exited(_reply.End.Code));
                    return;
                case ReplyEndKind.Signalled:
                    Exit(new Outcome.Signalled(_reply.End.Signal));
                    return;
                case ReplyEndKind.TimedOut:
                    // Tell the arbiter, which stops the tree as a real timeout would: the stop signal ends the script.
                    process.ReportTimedOut();
                    break;
            }

            await Task.Delay(Timeout.InfiniteTimeSpan, _time, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }

        Exit(new Outcome.Signalled(_killedBy ?? Tether.Signal.Kill));
    }

    private async Task WhileSuspendedAsync(CancellationToken token)
    {
        Task gate;
        lock (_lock)
        {
            gate = _running.Task;
        }

        await gate.WaitAsync(token).ConfigureAwait(false);
    }

    private void Die(Signal signal)
    {
        lock (_lock)
        {
            if (_dead)
            {
                return;
            }

            _dead = true;
            _killedBy = signal;
            _running.TrySetResult();
        }

        try
        {
            _death.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already torn down.
        }
    }

    private void Exit(Outcome outcome)
    {
        lock (_lock)
        {
            _dead = true;
        }

        // Output first, then the exit: a real program's output is in the pipe before its parent reaps it.
        _stdout.Writer.Complete();
        _stderr.Writer.Complete();
        for (var i = 0; i < _exits.Length; i++)
        {
            var stageOutcome = i == _exits.Length - 1 ? outcome : new Outcome.Exited(0);
            _exits[i].TrySetResult(new ExitStatus(stageOutcome, TimeSpan.Zero, null));
        }
    }

    /// <summary>An interactive stdin that accepts writes until it is closed, as a pipe to a reading program does.</summary>
    private sealed class StdinSink : Stream
    {
        private bool _closed;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => !_closed;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => ThrowIfClosed();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => ThrowIfClosed();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            ThrowIfClosed();
            return ValueTask.CompletedTask;
        }

        public override Task FlushAsync(CancellationToken cancellationToken)
        {
            ThrowIfClosed();
            return Task.CompletedTask;
        }

        protected override void Dispose(bool disposing)
        {
            _closed = true;
            base.Dispose(disposing);
        }

        private void ThrowIfClosed() => ObjectDisposedException.ThrowIf(_closed, this);
    }
}
