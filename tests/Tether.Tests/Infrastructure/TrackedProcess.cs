namespace Tether.Tests.Infrastructure;

/// <summary>
/// A process we watch, identified by pid and start time so that a recycled pid is never mistaken for it (and never
/// killed by a cleanup).
/// </summary>
internal readonly record struct TrackedProcess(int Pid, long StartTime)
{
    /// <summary>Identifies the live process <paramref name="pid"/>; throws when there is none.</summary>
    public static TrackedProcess Of(int pid) =>
        ProcessTable.ReadStat(pid) is { } stat
            ? new TrackedProcess(pid, stat.StartTime)
            : throw new InvalidOperationException($"Process {pid} does not exist (any more).");

    /// <summary>Identifies the live process <paramref name="pid"/>, or returns null when it is already gone.</summary>
    public static TrackedProcess? TryOf(int pid) =>
        ProcessTable.ReadStat(pid) is { State: not ('Z' or 'X' or 'x') } stat ? new TrackedProcess(pid, stat.StartTime) : null;

    /// <summary>True while this very process exists and is not a zombie.</summary>
    public bool IsAlive => ProcessTable.ReadStat(Pid) is { } stat && stat.StartTime == StartTime && stat.State is not ('Z' or 'X' or 'x');

    public override string ToString() => $"pid {Pid}";
}
