namespace Tether.Supervisor;

/// <summary>The loop that owns the engine: inputs in, decisions carried out, asleep until the next deadline or input.</summary>
public sealed partial class Supervisor
{
    /// <summary>The engine's time of the last tick the loop fed at once because a deadline was already due (guards against a deadline that does not move).</summary>
    private TimeSpan? _lastImmediateTick;

    /// <summary>Spans and metrics of the decisions (see <see cref="SupervisorTelemetry"/>); made by the loop on its first decision.</summary>
    private SupervisorTelemetry? _telemetry;
    private readonly SupervisorCounter _counter = new();

    /// <summary>Queues an input for the loop (stamped when the loop takes it). False once the loop stopped.</summary>
    private bool Post(SupervisorInput input, TaskCompletionSource? handled = null) => _inputs.Writer.TryWrite(new Envelope(input, handled));

    private async Task RunAsync()
    {
        Exception? failure = null;
        try
        {
            while (!_stopped)
            {
                if (!_inputs.Reader.TryRead(out var envelope))
                {
                    ArmWakeUp();
                    if (!await _inputs.Reader.WaitToReadAsync().ConfigureAwait(false))
                    {
                        break;
                    }

                    continue;
                }

                Handle(envelope.Input with { At = Now }, envelope.Handled);
            }
        }
        catch (Exception ex)
        {
            // The engine or an edge broke an invariant: nothing can be decided any more, so every tree is killed
            // (closing does it) and Completion reports the failure instead of pretending to a clean stop.
            failure = ex;
        }

        await CloseAsync().ConfigureAwait(false);
        FailPendingInputs();
        if (failure is not null)
        {
            _completion.TrySetException(new InvalidOperationException($"The supervisor stopped after an internal failure: {failure.Message}", failure));
        }
        else
        {
            _completion.TrySetResult(0);
        }
    }

    /// <summary>Feeds one input to the engine and carries out what it decides, in order.</summary>
    private void Handle(SupervisorInput input, TaskCompletionSource? handled)
    {
        switch (input)
        {
            case SupervisorInput.Configure configure:
                OpenLogs(configure.Services);
                break;
            case SupervisorInput.Reload reload:
                OpenLogs(reload.Services);
                Volatile.Write(ref _services, reload.Services);
                break;
            case SupervisorInput.Exited exited:
                _runs.TryRemove(exited.RunId, out _);
                break;
            case SupervisorInput.StartFailed failed:
                _runs.TryRemove(failed.RunId, out _);
                break;
        }

        _journal.Record(input);
        _counter.Observe(input);
        _decisions.Clear();
        _engine.Handle(input, _decisions);
        if (_trace is not null)
        {
            // Under a gate only because closing (possibly from DisposeAsync) disposes the recorder; the loop is its one writer.
            lock (_traceGate)
            {
                _trace?.Record(input, _decisions);
            }
        }

        // The status first: whoever hears of a decision (READY=1, OnDecision) sees the state it led to.
        Volatile.Write(ref _status, _engine.Status());
        foreach (var decision in _decisions)
        {
            Carry(decision);
        }

        handled?.TrySetResult();
    }

    /// <summary>Carries out one decision: requests are executed, facts journaled, and every decision is passed on.</summary>
    private void Carry(SupervisorDecision decision)
    {
        _journal.Record(decision);
        switch (decision)
        {
            case SupervisorDecision.StartInstance start:
                StartInstance(start);
                break;
            case SupervisorDecision.StopInstance stop:
                StopInstance(stop);
                break;
            case SupervisorDecision.KillInstance kill:
                KillInstance(kill);
                break;
            case SupervisorDecision.RunProbe probe:
                RunProbe(probe);
                break;
            case SupervisorDecision.AllReady:
                _notifier?.Ready("all services ready");
                break;
            case SupervisorDecision.ShutdownCompleted:
                _stopped = true;
                break;
        }

        (_telemetry ??= new SupervisorTelemetry(_time)).Observe(decision);
        _counter.Observe(decision);
        _options.OnDecision?.Invoke(decision);
    }

    /// <summary>Sleeps until the engine's next deadline: a timer on the supervisor's clock posts a tick then.</summary>
    private void ArmWakeUp()
    {
        if (_engine.NextDeadline is not { } deadline)
        {
            _wakeUp.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }

        var now = Now;
        var due = deadline - now;
        if (due <= TimeSpan.Zero)
        {
            if (_lastImmediateTick != now)
            {
                _lastImmediateTick = now;
                Post(new SupervisorInput.Tick(default));
                return;
            }

            due = TimeSpan.FromMilliseconds(1);
        }

        _wakeUp.Change(due, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Commands that were queued when the loop stopped will never be taken: their callers hear so.</summary>
    private void FailPendingInputs()
    {
        while (_inputs.Reader.TryRead(out var envelope))
        {
            envelope.Handled?.TrySetException(new SupervisorCommandException("The supervisor stopped before it could take the command."));
        }
    }
}
