using System.Collections.Immutable;
using System.Diagnostics.Contracts;

namespace Tether;

/// <summary>
/// Programs connected stdout-to-stdin in-process, without a shell: <c>a | b | c</c>. The whole pipeline is one
/// containment scope and has the same verbs as a single command.
/// </summary>
/// <remarks>
/// Stdin comes from the first stage; output capture, encoding, line handlers and tees of stdout from the last stage;
/// stderr of every stage is captured together. The run settings (timeout, grace, stop signal, idle timeout, drain,
/// cancellation, containment) come from the last stage unless set on the pipeline itself.
/// Failure follows <c>pipefail</c> with honest blame: the first stage that really failed, where a stage killed by
/// SIGPIPE (or exiting 141) because a later stage stopped reading is a victim, not a culprit.
/// </remarks>
public sealed class Pipeline
{
    internal Pipeline(ImmutableArray<Command> stages, RunSettings? settings = null)
    {
        Stages = stages;
        Overrides = settings ?? RunSettings.None;
    }

    /// <summary>The stages, first to last.</summary>
    public ImmutableArray<Command> Stages { get; }

    internal RunSettings Overrides { get; }

    /// <summary>The first stage.</summary>
    public Command First => Stages[0];

    /// <summary>The last stage.</summary>
    public Command Last => Stages[^1];

    /// <summary>The overall timeout in force.</summary>
    public TimeSpan? Timeout => Overrides.HasTimeout ? Overrides.Timeout : Last.Timeout;

    /// <summary>The grace period in force.</summary>
    public TimeSpan Grace => Overrides.Grace ?? Last.Grace;

    /// <summary>The stop signal in force.</summary>
    public Signal StopSignal => Overrides.StopSignal ?? Last.StopSignal;

    /// <summary>The idle timeout in force.</summary>
    public TimeSpan? IdleTimeout => Overrides.HasIdleTimeout ? Overrides.IdleTimeout : Last.IdleTimeout;

    /// <summary>The drain timeout in force.</summary>
    public TimeSpan DrainTimeout => Overrides.DrainTimeout ?? Last.DrainTimeout;

    /// <summary>The cancellation token in force (the pipeline's, or every stage's combined).</summary>
    public CancellationToken CancellationToken => Overrides.CancellationToken ?? Last.CancellationToken;

    /// <summary>The containment asked for.</summary>
    public ContainmentMode Containment => Overrides.Containment ?? Last.Containment;

    /// <summary>Returns a pipeline with <paramref name="next"/> appended.</summary>
    public static Pipeline operator |(Pipeline left, Command next)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(next);
        return new Pipeline(left.Stages.Add(next), left.Overrides);
    }

    /// <summary>Returns a pipeline with the stages of <paramref name="right"/> appended.</summary>
    public static Pipeline operator |(Pipeline left, Pipeline right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        return new Pipeline(left.Stages.AddRange(right.Stages), left.Overrides.Merge(right.Overrides));
    }

    /// <summary>Returns a pipeline stopped when it runs longer than <paramref name="timeout"/>; null for none.</summary>
    [Pure]
    public Pipeline WithTimeout(TimeSpan? timeout)
    {
        _ = Last.WithTimeout(timeout); // same validation as a command
        return new(Stages, Overrides with { HasTimeout = true, Timeout = timeout });
    }

    /// <summary>Returns a pipeline with this grace between the stop signal and SIGKILL.</summary>
    [Pure]
    public Pipeline WithGrace(TimeSpan grace)
    {
        _ = Last.WithGrace(grace);
        return new(Stages, Overrides with { Grace = grace });
    }

    /// <summary>Returns a pipeline stopped with <paramref name="signal"/> first.</summary>
    [Pure]
    public Pipeline WithStopSignal(Signal signal) => new(Stages, Overrides with { StopSignal = signal });

    /// <summary>Returns a pipeline stopped after <paramref name="idleTimeout"/> without output; null for none.</summary>
    [Pure]
    public Pipeline WithIdleTimeout(TimeSpan? idleTimeout)
    {
        _ = Last.WithIdleTimeout(idleTimeout);
        return new(Stages, Overrides with { HasIdleTimeout = true, IdleTimeout = idleTimeout });
    }

    /// <summary>Returns a pipeline that drains output for at most this long after its last stage exited.</summary>
    [Pure]
    public Pipeline WithDrainTimeout(TimeSpan drainTimeout)
    {
        _ = Last.WithDrainTimeout(drainTimeout);
        return new(Stages, Overrides with { DrainTimeout = drainTimeout });
    }

    /// <summary>Returns a pipeline stopped, and throwing <see cref="OperationCanceledException"/>, when the token is cancelled.</summary>
    [Pure]
    public Pipeline WithCancellation(CancellationToken cancellationToken) => new(Stages, Overrides with { CancellationToken = cancellationToken });

    /// <summary>Returns a pipeline with this containment request.</summary>
    [Pure]
    public Pipeline WithContainment(ContainmentMode mode) => new(Stages, Overrides with { Containment = mode });

    /// <summary>The stages joined with <c>|</c>, each as <see cref="Command.ToString"/> shows it.</summary>
    public override string ToString() => string.Join(" | ", Stages.Select(s => s.ToString()));

    internal Pipeline Prepend(Command first) => new(Stages.Insert(0, first), Overrides);

    internal CancellationToken[] AllCancellationTokens()
    {
        if (Overrides.CancellationToken is { } own)
        {
            return [own];
        }

        return Stages.Select(s => s.CancellationToken).Where(t => t.CanBeCanceled).Distinct().ToArray();
    }

    internal sealed record RunSettings
    {
        public static RunSettings None { get; } = new();

        public bool HasTimeout { get; init; }

        public TimeSpan? Timeout { get; init; }

        public TimeSpan? Grace { get; init; }

        public Signal? StopSignal { get; init; }

        public bool HasIdleTimeout { get; init; }

        public TimeSpan? IdleTimeout { get; init; }

        public TimeSpan? DrainTimeout { get; init; }

        public CancellationToken? CancellationToken { get; init; }

        public ContainmentMode? Containment { get; init; }

        public RunSettings Merge(RunSettings later) => new()
        {
            HasTimeout = HasTimeout || later.HasTimeout,
            Timeout = later.HasTimeout ? later.Timeout : Timeout,
            Grace = later.Grace ?? Grace,
            StopSignal = later.StopSignal ?? StopSignal,
            HasIdleTimeout = HasIdleTimeout || later.HasIdleTimeout,
            IdleTimeout = later.HasIdleTimeout ? later.IdleTimeout : IdleTimeout,
            DrainTimeout = later.DrainTimeout ?? DrainTimeout,
            CancellationToken = later.CancellationToken ?? CancellationToken,
            Containment = later.Containment ?? Containment,
        };
    }
}
