using System.Collections.Immutable;
using Tether.Testing.Scripting;

namespace Tether.Testing;

/// <summary>
/// Wraps any <see cref="IProcessRunner"/> and replaces chosen calls with a <see cref="Fault"/>: the N-th call, every
/// call matching a condition — for testing retries and error paths. Calls are counted from 1 across all verbs (one
/// count per call, whatever its number of stages); calls without a fault go to the inner runner. Thread-safe.
/// </summary>
public sealed class FaultInjectingRunner : IProcessRunner
{
    private readonly IProcessRunner _inner;
    private ImmutableList<(Func<int, Invocation, bool> When, Fault Fault)> _rules = [];
    private int _calls;
    private int _injected;

    /// <summary>Injects faults into calls made through it; the others run with <paramref name="inner"/>.</summary>
    public FaultInjectingRunner(IProcessRunner inner, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
        TimeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The clock for injected runs (timeouts, grace periods).</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Calls made so far.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Faults injected so far.</summary>
    public int Injected => Volatile.Read(ref _injected);

    /// <summary>Injects <paramref name="fault"/> into the <paramref name="call"/>-th call (1 is the first).</summary>
    public FaultInjectingRunner OnCall(int call, Fault fault)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(call, 1);
        return OnCalls((n, _) => n == call, fault);
    }

    /// <summary>Injects <paramref name="fault"/> into the first <paramref name="count"/> calls (then the real runner answers).</summary>
    public FaultInjectingRunner OnFirstCalls(int count, Fault fault)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return OnCalls((n, _) => n <= count, fault);
    }

    /// <summary>Injects <paramref name="fault"/> into every call of <paramref name="program"/> (see <see cref="Invocation.ProgramIs"/>).</summary>
    public FaultInjectingRunner OnProgram(string program, Fault fault)
    {
        ArgumentException.ThrowIfNullOrEmpty(program);
        return OnCalls((_, i) => i.ProgramIs(program), fault);
    }

    /// <summary>
    /// Injects <paramref name="fault"/> into every call for which <paramref name="when"/> (call number from 1, the first
    /// stage's invocation) is true. The first rule that matches wins.
    /// </summary>
    public FaultInjectingRunner OnCalls(Func<int, Invocation, bool> when, Fault fault)
    {
        ArgumentNullException.ThrowIfNull(when);
        ArgumentNullException.ThrowIfNull(fault);
        ImmutableInterlocked.Update(ref _rules, rules => rules.Add((when, fault)));
        return this;
    }

    /// <inheritdoc/>
    public Task<RunningProcess> StartAsync(Pipeline pipeline, CancellationToken cancellationToken = default)
    {
        try
        {
            return FaultFor(pipeline) is { } fault
                ? Task.FromResult(ScriptedRun.Start(pipeline, Inject(pipeline, fault, cancellationToken), TimeProvider, streaming: true, CancellationToken.None))
                : _inner.StartAsync(pipeline, cancellationToken);
        }
        catch (Exception ex)
        {
            return Task.FromException<RunningProcess>(ex);
        }
    }

    /// <inheritdoc/>
    public async Task<ProcessResult<byte[]>> OutputBytesAsync(Pipeline pipeline, CancellationToken cancellationToken = default) =>
        FaultFor(pipeline) is { } fault
            ? await ScriptedRun.OutputBytesAsync(pipeline, Inject(pipeline, fault, cancellationToken), TimeProvider, cancellationToken).ConfigureAwait(false)
            : await _inner.OutputBytesAsync(pipeline, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<ProcessResult<string>> OutputStringAsync(Pipeline pipeline, CancellationToken cancellationToken = default) =>
        FaultFor(pipeline) is { } fault
            ? await ScriptedRun.OutputStringAsync(pipeline, Inject(pipeline, fault, cancellationToken), TimeProvider, cancellationToken).ConfigureAwait(false)
            : await _inner.OutputStringAsync(pipeline, cancellationToken).ConfigureAwait(false);

    private Fault? FaultFor(Pipeline pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        var call = Interlocked.Increment(ref _calls);
        var invocation = Invocation.Of(pipeline.First);
        foreach (var (when, fault) in Volatile.Read(ref _rules))
        {
            if (when(call, invocation))
            {
                Interlocked.Increment(ref _injected);
                return fault;
            }
        }

        return null;
    }

    private static Reply Inject(Pipeline pipeline, Fault fault, CancellationToken cancellationToken)
    {
        ScriptedRun.ThrowIfCancelled(pipeline, cancellationToken);
        if (fault.Error is { } error)
        {
            throw error(Invocation.Of(pipeline.First));
        }

        return fault.Reply!;
    }
}
