using Tether.ProcFs;

namespace Tether;

/// <summary>
/// A process started by <see cref="DetachedExtensions.StartDetachedAsync"/>: outside every containment of its owner,
/// meant to outlive it. Nothing stops it for you; this value only tells you which process it is.
/// </summary>
/// <param name="Pid">Its process id.</param>
/// <param name="StartTime">
/// When it started, in clock ticks since boot (field 22 of <c>/proc/PID/stat</c>): a pid alone may be reused once the
/// process is gone, the pair names one process for good.
/// </param>
/// <param name="Program">The command line (secrets redacted).</param>
public sealed record DetachedProcess(int Pid, ulong StartTime, string Program)
{
    /// <summary>True while this very process (same pid and start time) is alive and not a zombie.</summary>
    public bool IsRunning => ProcStat.Read(Pid) is { } stat && stat.StartTime == StartTime && !stat.IsDead;

    /// <summary>A one-line summary: program, pid.</summary>
    public override string ToString() => $"{Program} (detached, pid {Pid})";
}
