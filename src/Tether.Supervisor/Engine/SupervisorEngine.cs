namespace Tether.Supervisor;

/// <summary>
/// The supervisor's decisions as a deterministic state machine. Inputs enter through <see cref="Handle"/>; requests to
/// the host and facts for the journal come out, in order. The engine never reads a clock, a random source or the OS.
/// </summary>
public sealed partial class SupervisorEngine
{
    /// <summary>The engine's time: the latest input time seen (it never goes backwards).</summary>
    public TimeSpan Now { get; private set; }

    /// <summary>When the host must tick next (a backoff, probe or stop deadline), or null when nothing is pending.</summary>
    public TimeSpan? NextDeadline => throw new NotImplementedException();

    /// <summary>Feeds one input; the decisions it causes are added to <paramref name="decisions"/> in order.</summary>
    public void Handle(SupervisorInput input, ICollection<SupervisorDecision> decisions) => throw new NotImplementedException();

    /// <summary>Every instance, services in file order, instances by index.</summary>
    public IReadOnlyList<InstanceStatus> Status() => throw new NotImplementedException();
}
