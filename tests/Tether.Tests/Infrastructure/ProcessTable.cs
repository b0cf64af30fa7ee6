using System.Globalization;
using System.Runtime.InteropServices;

namespace Tether.Tests.Infrastructure;

/// <summary>What /proc says about processes, and a way to kill one.</summary>
internal static partial class ProcessTable
{
    public const int SIGKILL = 9;

    public static bool IsAlive(int pid) => ReadStat(pid) is { State: not ('Z' or 'X' or 'x') };

    /// <summary>Waits until none of <paramref name="processes"/> is alive; returns the survivors (empty when all are gone).</summary>
    public static async Task<IReadOnlyList<TrackedProcess>> WaitUntilGoneAsync(IEnumerable<TrackedProcess> processes, TimeSpan? within = null)
    {
        var list = processes.ToList();
        await Bounds.EventuallyAsync(() => list.All(p => !p.IsAlive), within ?? Bounds.TreeGone);
        return list.Where(p => p.IsAlive).ToList();
    }

    /// <summary>SIGKILLs the process if it is still the one we tracked.</summary>
    public static void Kill(TrackedProcess process)
    {
        if (process.IsAlive)
        {
            _ = kill(process.Pid, SIGKILL);
        }
    }

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; returns false when that failed.</summary>
    public static bool Signal(int pid, int signal) => kill(pid, signal) == 0;

    /// <summary>This process's cgroup v2 path (the <c>0::</c> line of /proc/PID/cgroup), or null.</summary>
    public static string? CgroupOf(int pid)
    {
        try
        {
            return File.ReadAllLines($"/proc/{pid}/cgroup").FirstOrDefault(l => l.StartsWith("0::", StringComparison.Ordinal))?[3..];
        }
        catch (IOException)
        {
            return null;
        }
    }

    public static int ProcessGroupOf(int pid) => getpgid(pid);

    internal static (char State, long StartTime)? ReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // "pid (comm) S ppid ..." where comm may hold spaces and parentheses: parse after the last ')'.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return (fields[0][0], long.Parse(fields[19], CultureInfo.InvariantCulture)); // field 3 is the state, field 22 the start time
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getpgid(int pid);
}
