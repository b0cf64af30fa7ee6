using Tether.ProcFs;

namespace Tether.Journaling.Internal;

/// <summary>
/// Who a process is, robustly against pid reuse: pid, its start time in clock ticks since boot (field 22 of
/// <c>/proc/PID/stat</c>), and the kernel's boot id. A job record carrying this tells reconciliation whether the
/// process that started the job is still alive.
/// </summary>
internal sealed record ProcessIdentity(int ProcessId, ulong StartTicks, string BootId)
{
    private static readonly Lazy<ProcessIdentity?> CurrentIdentity = new(() => Of(Environment.ProcessId));

    /// <summary>This process, or null when /proc is not readable.</summary>
    public static ProcessIdentity? Current => CurrentIdentity.Value;

    /// <summary>The identity of a live process, or null when it does not exist (or /proc cannot be read).</summary>
    public static ProcessIdentity? Of(int processId)
    {
        var bootId = Tether.ProcFs.BootId.Current;
        var start = ProcStat.Read(processId)?.StartTime;
        return bootId is null || start is null ? null : new ProcessIdentity(processId, start.Value, bootId);
    }

    /// <summary>Whether the process this identity names is still running (same boot, same pid, same start time).</summary>
    public bool IsAlive()
    {
        var now = Of(ProcessId);
        return now is not null && now == this;
    }
}
