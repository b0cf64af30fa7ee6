using System.Globalization;

namespace Tether.Benchmarks.OwnerDeath;

/// <summary>The fields of <c>/proc/&lt;pid&gt;/stat</c> the owner-death measurement needs.</summary>
internal readonly record struct ProcStat(int Pid, string Comm, char State, int ParentPid, int ProcessGroup, int Session)
{
    /// <summary>True when the process is gone or a zombie (it runs no code any more; only its parent's wait is missing).</summary>
    public static bool IsDead(int pid) => Read(pid) is not { } stat || stat.State is 'Z' or 'X' or 'x';

    /// <summary>Reads the stat line of <paramref name="pid"/>, or null when there is no such process.</summary>
    public static ProcStat? Read(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return null;
        }

        // The command name is in parentheses and may itself contain spaces or parentheses: take up to the last ')'.
        var open = text.IndexOf('(', StringComparison.Ordinal);
        var close = text.LastIndexOf(')');
        if (open < 0 || close < open)
        {
            return null;
        }

        var fields = text[(close + 2)..].Split(' ');
        return new ProcStat(
            pid,
            text[(open + 1)..close],
            fields[0][0],
            int.Parse(fields[1], CultureInfo.InvariantCulture),
            int.Parse(fields[2], CultureInfo.InvariantCulture),
            int.Parse(fields[3], CultureInfo.InvariantCulture));
    }

    /// <summary>Every process whose parent is <paramref name="parentPid"/>, found by scanning <c>/proc</c>.</summary>
    public static List<ProcStat> ChildrenOf(int parentPid)
    {
        var children = new List<ProcStat>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) &&
                Read(pid) is { } stat && stat.ParentPid == parentPid)
            {
                children.Add(stat);
            }
        }

        return children;
    }

    /// <summary>The cgroup v2 path of <paramref name="pid"/> (the <c>0::</c> line of <c>/proc/&lt;pid&gt;/cgroup</c>), or null.</summary>
    public static string? CgroupV2Path(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/cgroup"))
            {
                if (line.StartsWith("0::", StringComparison.Ordinal))
                {
                    return line[3..];
                }
            }
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
        }

        return null;
    }
}
