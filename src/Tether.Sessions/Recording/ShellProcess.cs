using System.Globalization;
using Tether.ProcFs;

namespace Tether.Sessions;

/// <summary>
/// One process, identified by its pid and its start time (<c>/proc/PID/stat</c> field 22, clock ticks since boot), so
/// that a recycled pid is never taken for the shell that once had it. Linux only.
/// </summary>
internal readonly record struct ShellProcess(int Pid, long StartTime)
{
    /// <summary>The recording key of this process: <c>PID-STARTTIME</c>, the stem of its state files.</summary>
    public string Key => string.Create(CultureInfo.InvariantCulture, $"{Pid}-{StartTime}");

    /// <summary>True while this very process exists and is not a zombie (a killed shell not yet reaped is dead).</summary>
    public bool IsAlive => ProcStat.Read(Pid) is { } stat && (long)stat.StartTime == StartTime && !stat.IsDead;

    /// <summary>The live process <paramref name="pid"/>, or null when there is none (or only its zombie).</summary>
    public static ShellProcess? TryFind(int pid) =>
        pid > 0 && ProcStat.Read(pid) is { IsDead: false } stat ? new ShellProcess(pid, (long)stat.StartTime) : null;

    /// <summary>Parses a key written by <see cref="Key"/>; false for anything else.</summary>
    public static bool TryParseKey(string key, out ShellProcess process)
    {
        process = default;
        var dash = key.IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0
            || !int.TryParse(key.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            || !long.TryParse(key.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            || pid <= 0)
        {
            return false;
        }

        process = new ShellProcess(pid, start);
        return process.Key == key; // no leading zeros or other second spellings of one key
    }

    /// <summary>The parent of the current process (the shell, when a user typed the command that runs us).</summary>
    public static int ParentOfCurrent() => ProcStat.Read(Environment.ProcessId)?.ParentPid ?? 0;

    /// <summary>The program name the kernel keeps for <paramref name="pid"/> (<c>/proc/PID/comm</c>), or null.</summary>
    public static string? ProgramName(int pid)
    {
        try
        {
            return File.ReadAllText(string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}/comm")).TrimEnd('\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The identity of this boot (<c>/proc/sys/kernel/random/boot_id</c>), or null where unreadable.</summary>
    public static string? BootId() => Tether.ProcFs.BootId.Current;

    /// <summary>The PID namespace of the current process (such as <c>pid:[4026531836]</c>), or null where unreadable.</summary>
    public static string? PidNamespace()
    {
        try
        {
            return new FileInfo("/proc/self/ns/pid").LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"pid {Pid}");
}
