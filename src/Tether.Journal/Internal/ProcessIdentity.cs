using System.Globalization;

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
        var bootId = ReadBootId();
        var start = ReadStartTicks(processId);
        return bootId is null || start is null ? null : new ProcessIdentity(processId, start.Value, bootId);
    }

    /// <summary>Whether the process this identity names is still running (same boot, same pid, same start time).</summary>
    public bool IsAlive()
    {
        var now = Of(ProcessId);
        return now is not null && now == this;
    }

    private static string? ReadBootId()
    {
        try
        {
            return File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim();
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static ulong? ReadStartTicks(int processId)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{processId.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        // The command name (field 2) is in parentheses and may contain spaces; fields after it are plain.
        var close = stat.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }

        var fields = stat[(close + 2)..].Split(' ');

        // fields[0] is field 3 (state), so field 22 (starttime) is fields[19].
        return fields.Length > 19 && ulong.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) ? ticks : null;
    }
}
