using System.Collections.Immutable;

namespace Tether.Testing;

/// <summary>
/// Wraps any <see cref="IProcessRunner"/> and records every <see cref="Invocation"/> (one per pipeline stage) before
/// passing the call on, so a test can assert on what the code under test ran. Calls that fail are recorded too.
/// Thread-safe.
/// </summary>
public sealed class RecordingRunner : IProcessRunner
{
    private readonly IProcessRunner _inner;
    private readonly Lock _lock = new();
    private ImmutableList<Invocation> _invocations = [];

    /// <summary>Records the calls made through it and runs them with <paramref name="inner"/>.</summary>
    public RecordingRunner(IProcessRunner inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
    }

    /// <summary>The clock of the runner it delegates to, so retries and readiness waits keep its (virtual) time.</summary>
    public TimeProvider TimeProvider => _inner.TimeProvider;

    /// <summary>Every invocation so far, in call order.</summary>
    public IReadOnlyList<Invocation> Invocations
    {
        get
        {
            lock (_lock)
            {
                return _invocations;
            }
        }
    }

    /// <summary>The most recent invocation.</summary>
    /// <exception cref="InvalidOperationException">Nothing was run yet.</exception>
    public Invocation Last => Invocations is { Count: > 0 } all ? all[^1] : throw new InvalidOperationException("Nothing was run through this RecordingRunner yet.");

    /// <summary>The only invocation.</summary>
    /// <exception cref="InvalidOperationException">There were none, or more than one (the message lists them).</exception>
    public Invocation Single()
    {
        var all = Invocations;
        return all.Count == 1
            ? all[0]
            : throw new InvalidOperationException($"Expected exactly one invocation but there were {all.Count}{(all.Count == 0 ? "" : ": " + string.Join("; ", all))}.");
    }

    /// <summary>The invocations of <paramref name="program"/> (see <see cref="Invocation.ProgramIs"/>).</summary>
    public IReadOnlyList<Invocation> Of(string program) => [.. Invocations.Where(i => i.ProgramIs(program))];

    /// <summary>Forgets the invocations recorded so far.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _invocations = [];
        }
    }

    /// <inheritdoc/>
    public Task<RunningProcess> StartAsync(Pipeline pipeline, CancellationToken cancellationToken = default)
    {
        Record(pipeline);
        return _inner.StartAsync(pipeline, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<ProcessResult<byte[]>> OutputBytesAsync(Pipeline pipeline, CancellationToken cancellationToken = default)
    {
        Record(pipeline);
        return _inner.OutputBytesAsync(pipeline, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<ProcessResult<string>> OutputStringAsync(Pipeline pipeline, CancellationToken cancellationToken = default)
    {
        Record(pipeline);
        return _inner.OutputStringAsync(pipeline, cancellationToken);
    }

    private void Record(Pipeline pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        var invocations = Invocation.Of(pipeline);
        lock (_lock)
        {
            _invocations = _invocations.AddRange(invocations);
        }
    }
}
