using System.Globalization;
using System.Runtime.InteropServices;

namespace Tether.Watch.Tests;

/// <summary>
/// A process a recovery spec watches (a recovery child, a grandchild it left), identified by pid and start time so a
/// recycled pid is never mistaken for it nor killed by a cleanup. A minimal copy of what Tether.Tests' ProcessTable
/// and TrackedProcess do.
/// </summary>
internal readonly partial record struct WatchedProcess(int Pid, long StartTime)
{
    private const int SIGKILL = 9;

    /// <summary>Identifies the live process <paramref name="pid"/>; throws when there is none.</summary>
    public static WatchedProcess Of(int pid) =>
        ReadStat(pid) is { } stat ? new WatchedProcess(pid, stat.StartTime) : throw new InvalidOperationException($"Process {pid} does not exist (any more).");

    /// <summary>True while this very process exists and is not a zombie.</summary>
    public bool IsAlive => ReadStat(Pid) is { } stat && stat.StartTime == StartTime && stat.State is not ('Z' or 'X' or 'x');

    /// <summary>Waits until none of <paramref name="processes"/> is alive; returns the survivors (empty when all are gone).</summary>
    public static async Task<IReadOnlyList<WatchedProcess>> WaitUntilGoneAsync(IEnumerable<WatchedProcess> processes)
    {
        var list = processes.ToList();
        await Bounds.EventuallyAsync(() => list.All(p => !p.IsAlive), Bounds.TreeGone);
        return list.Where(p => p.IsAlive).ToList();
    }

    /// <summary>SIGKILLs the process if it is still the one we watched (cleanup after a failed spec).</summary>
    public void Kill()
    {
        if (IsAlive)
        {
            _ = kill(Pid, SIGKILL);
        }
    }

    public override string ToString() => $"pid {Pid}";

    private static (char State, long StartTime)? ReadStat(int pid)
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
        return (fields[0][0], long.Parse(fields[19], CultureInfo.InvariantCulture));
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
